using DeclFed.Generators.Model;
using DeclFed.Generators.Parsing;

namespace DeclFed.Generators.Emit;

/// <summary>
/// Writes the implementing declarations of a pipeline class's <c>[FederatedLoRA]</c> partial methods: a standalone run with
/// the attribute's values, for code that calls the method directly (tests, notebooks). A pipeline run does not call them:
/// its executor reads the settings from the step's options, so configuration can override them.
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
        foreach (var declaration in spec.TypeDeclarations)
        {
            writer.WriteLine(declaration);
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
        foreach (var _ in spec.TypeDeclarations)
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
        writer.WriteLine(CSharpText.GeneratedCode);
        writer.WriteLine($"{body.Modifiers} {body.ReturnType} {body.MethodName}({string.Join(", ", body.Parameters)})");
        writer.Indent();
        writer.WriteLine($"=> {FederatedSettingTable.StageType}.Run(");
        writer.Indent();
        if (body.Assignments.IsEmpty)
        {
            writer.WriteLine($"new {FederatedSettingTable.SettingsType}(),");
        }
        else
        {
            writer.WriteLine($"new {FederatedSettingTable.SettingsType}");
            writer.OpenBlock();
            foreach (var assignment in body.Assignments)
            {
                writer.WriteLine(assignment + ",");
            }
            writer.CloseBlock(",");
        }
        for (var i = 0; i < body.Arguments.Count; i++)
        {
            writer.WriteLine(body.Arguments[i] + (i == body.Arguments.Count - 1 && body.Arguments.Count == 3 ? ");" : ","));
        }
        if (body.Arguments.Count < 3)
        {
            writer.WriteLine("null);");
        }
        writer.Unindent();
        writer.Unindent();
    }
}
