using System.Linq;
using DeclFed.Generators.Model;

namespace DeclFed.Generators.Emit;

/// <summary>
/// Writes the implementing declarations of a pipeline class's stage methods: a standalone run of the stage with the
/// attribute's values (<c>StandaloneStepContext.Run</c>: seed 0, no checkpoints kept), for code that calls the method directly
/// (tests, notebooks). A pipeline run does not call them: its executor reads the settings from the step's options, so
/// configuration can override them.
/// </summary>
internal static class StageBodyEmitter
{
    public static string Emit(StageBodiesSpec spec)
    {
        var writer = new SourceWriter();
        writer.WriteLine(CSharpText.Header);
        writer.WriteLine();
        var hasNamespace = spec.Namespace.Length > 0;
        if (hasNamespace)
        {
            writer.WriteLine($"namespace {spec.Namespace}");
            writer.OpenBlock();
        }
        foreach (var container in spec.Containers)
        {
            writer.WriteLine($"partial {container.Keyword} {container.Name}");
            writer.OpenBlock();
        }
        for (var i = 0; i < spec.Bodies.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }
            WriteBody(writer, spec.Bodies[i]);
        }
        foreach (var _ in spec.Containers)
        {
            writer.CloseBlock();
        }
        if (hasNamespace)
        {
            writer.CloseBlock();
        }
        return writer.ToString();
    }

    private static void WriteBody(SourceWriter writer, StageBodySpec body)
    {
        var call = body.Call;
        var parameters = string.Join(", ", body.Parameters.Select(p => $"{p.TypeName} {p.Name}"));
        // No [GeneratedCode] here: a partial method's attributes merge, and it would mark the user's own declaration as
        // generated, which hides it from analyzers (the stage's settings analyzer among them) and from coverage.
        writer.WriteLine($"{string.Join(" ", body.Modifiers)} {body.ReturnTypeName} {Parsing.TypeNames.Identifier(body.MethodName)}({parameters})");
        writer.OpenBlock();
        if (body.Settings.IsEmpty)
        {
            writer.WriteLine($"var __settings = new {call.SettingsTypeName}();");
        }
        else
        {
            writer.WriteLine($"var __settings = new {call.SettingsTypeName}");
            writer.OpenBlock();
            foreach (var setting in body.Settings)
            {
                writer.WriteLine($"{setting.Name} = {StageCode.Literal(setting.Value)},");
            }
            writer.CloseBlock(";");
        }
        writer.WriteLine($"return global::DeclFed.Graph.StandaloneStepContext.Run<{body.ReturnTypeName}>(");
        writer.Indent();
        writer.WriteLine($"{CSharpText.Literal(body.MethodName)}, {CSharpText.Literal(call.Kind)}, {CSharpText.Literal(body.ReturnTypeDisplay)},");
        // Names no parameter of the method can take (it would hide them in the lambda).
        writer.WriteLine($"(__context, __token) => {StageCode.RunAsync(call, body.ReturnTypeName, "__context", "__settings", body.Parameters.Select(p => p.Name), "__token")});");
        writer.Unindent();
        writer.CloseBlock();
    }
}
