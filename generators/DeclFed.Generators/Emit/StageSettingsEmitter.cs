using System.Linq;
using DeclFed.Generators.Model;

namespace DeclFed.Generators.Emit;

/// <summary>
/// Writes the generated half of a stage's settings class in the stage's own assembly: <c>Options</c> (one descriptor per
/// setting, with the initializers' values as defaults and the doc comments as descriptions) and <c>FromOptions</c>, which
/// the generated pipeline code calls (<c>DeclFed.Stages.IStageSettings&lt;TSelf&gt;</c>).
/// </summary>
internal static class StageSettingsEmitter
{
    private const string Graph = "global::DeclFed.Graph";

    public static string Emit(StageSettingsSpec spec)
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
        for (var i = 0; i < spec.Containers.Count; i++)
        {
            var container = spec.Containers[i];
            var last = i == spec.Containers.Count - 1;
            writer.WriteLine($"partial {container.Keyword} {container.Name}" + (last ? $" : global::DeclFed.Stages.IStageSettings<{spec.SettingsTypeName}>" : string.Empty));
            writer.OpenBlock();
        }
        WriteMembers(writer, spec);
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

    private static void WriteMembers(SourceWriter writer, StageSettingsSpec spec)
    {
        var type = spec.SettingsTypeName;
        writer.WriteLine($$"""
            /// <summary>One option per setting, in declaration order; the defaults are the settings' initial values.</summary>
            {{CSharpText.GeneratedCode}}
            public static global::System.Collections.Generic.IReadOnlyList<{{Graph}}.OptionDescriptor> Options { get; } = CreateOptions();

            /// <summary>The settings a step's validated options hold.</summary>
            /// <param name="options">The options: enum settings as member names, lists as arrays.</param>
            {{CSharpText.GeneratedCode}}
            public static {{type}} FromOptions({{Graph}}.IOptionSource options)
            {
                global::System.ArgumentNullException.ThrowIfNull(options);
                return new {{type}}
                {
            """);
        writer.Indent();
        writer.Indent();
        foreach (var setting in spec.Settings)
        {
            var read = setting.EnumTypeName.Length > 0
                ? $"global::System.Enum.Parse<{setting.EnumTypeName}>(options.GetOption<string>({CSharpText.Literal(setting.Name)}))"
                : $"options.GetOption<{setting.ValueTypeName}>({CSharpText.Literal(setting.Name)})";
            writer.WriteLine($"{setting.Identifier} = {read},");
        }
        writer.Unindent();
        writer.WriteLine("};");
        writer.Unindent();
        writer.WriteLine("}");
        writer.WriteLine();
        writer.WriteLine($"private static {Graph}.OptionDescriptor[] CreateOptions()");
        writer.OpenBlock();
        writer.WriteLine($"var defaults = new {type}();");
        writer.WriteLine($"return new {Graph}.OptionDescriptor[]");
        writer.OpenBlock();
        foreach (var setting in spec.Settings)
        {
            var allowed = setting.EnumMembers.IsEmpty
                ? "global::System.Array.Empty<string>()"
                : "new string[] { " + string.Join(", ", setting.EnumMembers.Select(m => CSharpText.Literal(m))) + " }";
            writer.WriteLine($"new {Graph}.OptionDescriptor(Name: {CSharpText.Literal(setting.Name)}, Parameter: {CSharpText.Literal(setting.Name)}, " +
                $"Kind: {Graph}.OptionKind.{setting.Kind}, TypeName: {CSharpText.Literal(setting.TypeDisplay)}, " +
                $"DefaultValue: global::DeclFed.Stages.SettingText.Option(defaults.{setting.Identifier}), AllowedValues: {allowed}, " +
                $"Description: {CSharpText.Literal(setting.Description)}),");
        }
        writer.CloseBlock(";");
        writer.CloseBlock();
    }
}
