using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Model;
using DeclFed.Generators.Parsing;

namespace DeclFed.Generators.Emit;

/// <summary>
/// Writes the source of one pipeline: the <c>{Name}PipelineDefinition</c> (descriptor and typed executor) and,
/// when the project references dependency injection, the <c>Add{Name}Pipeline</c> extension.
/// </summary>
internal static class PipelineEmitter
{
    private const string Graph = "global::DeclFed.Graph";
    private const string Tasks = "global::System.Threading.Tasks";
    private const string DependencyInjection = "global::Microsoft.Extensions.DependencyInjection";

    public static string Emit(PipelineSpec pipeline, string addMethodName, bool withDependencyInjection)
    {
        var writer = new SourceWriter();
        writer.WriteLine(CSharpText.Header);
        writer.WriteLine();
        var definition = pipeline.BaseName + "PipelineDefinition";
        var accessibility = pipeline.IsPublic ? "public" : "internal";
        var hasNamespace = pipeline.Namespace.Length > 0;
        if (hasNamespace)
        {
            writer.WriteLine($"namespace {pipeline.Namespace}");
            writer.OpenBlock();
        }
        WriteDefinition(writer, pipeline, definition, accessibility);
        if (hasNamespace)
        {
            writer.CloseBlock();
        }
        if (withDependencyInjection)
        {
            writer.WriteLine();
            var qualifiedDefinition = "global::" + (hasNamespace ? pipeline.Namespace + "." : string.Empty) + definition;
            WriteServiceCollectionExtension(writer, pipeline, qualifiedDefinition, addMethodName, accessibility);
        }
        return writer.ToString();
    }

    private static void WriteDefinition(SourceWriter writer, PipelineSpec pipeline, string definition, string accessibility)
    {
        writer.WriteLine($$"""
            /// <summary>
            /// The execution graph of <see cref="{{pipeline.TypeName}}"/>: its descriptor and an executor that runs the steps
            /// in topological order, handing each output to its consumers through typed locals.
            /// </summary>
            {{CSharpText.GeneratedCode}}
            {{accessibility}} sealed class {{definition}} : {{Graph}}.IPipelineDefinition
            """);
        writer.OpenBlock();
        writer.WriteLine($$"""
            private readonly {{pipeline.TypeName}} _pipeline;

            /// <summary>Creates the definition that runs the steps of <paramref name="pipeline"/>.</summary>
            /// <param name="pipeline">The pipeline instance whose step methods are called.</param>
            public {{definition}}({{pipeline.TypeName}} pipeline)
            {
                _pipeline = pipeline ?? throw new global::System.ArgumentNullException(nameof(pipeline));
            }

            /// <summary>The static graph: the steps in topological order, their typed inputs and options, and its Mermaid text.</summary>
            public static {{Graph}}.PipelineDescriptor StaticDescriptor { get; } = new {{Graph}}.PipelineDescriptor(
            """);
        writer.Indent();
        writer.WriteLine($"Name: {CSharpText.Literal(pipeline.PipelineName)},");
        writer.WriteLine($"TypeName: {CSharpText.Literal(pipeline.MetadataName)},");
        writer.WriteLine($"Description: {CSharpText.Literal(pipeline.Description)},");
        WriteSteps(writer, pipeline.Steps);
        WriteMermaid(writer, pipeline);
        writer.Unindent();
        writer.WriteLine();
        writer.WriteLine($$"""
            /// <inheritdoc/>
            public {{Graph}}.PipelineDescriptor Descriptor => StaticDescriptor;

            /// <inheritdoc/>
            """);
        WriteExecute(writer, pipeline);
        WriteCheckSettings(writer, pipeline);
        writer.CloseBlock();
    }

    private static void WriteSteps(SourceWriter writer, EquatableArray<StepSpec> steps)
    {
        if (steps.IsEmpty)
        {
            writer.WriteLine($"Steps: global::System.Array.Empty<{Graph}.StepDescriptor>(),");
            return;
        }
        writer.WriteLine($"Steps: new {Graph}.StepDescriptor[]");
        writer.OpenBlock();
        foreach (var step in steps)
        {
            writer.WriteLine($"new {Graph}.StepDescriptor(");
            writer.Indent();
            writer.WriteLine($"Name: {CSharpText.Literal(step.Name)},");
            writer.WriteLine($"Kind: {CSharpText.Literal(step.Kind)},");
            writer.WriteLine($"OutputType: {CSharpText.Literal(step.OutputTypeDisplay)},");
            WriteArray(writer, "Inputs", $"{Graph}.StepInputDescriptor", step.Inputs.Select(input =>
                $"new {Graph}.StepInputDescriptor(Parameter: {CSharpText.Literal(input.Parameter)}, Producer: {CSharpText.Literal(input.Producer)}, Type: {CSharpText.Literal(input.TypeDisplay)})"));
            if (step.Stage is { } stage)
            {
                WriteStageOptions(writer, step, stage);
            }
            else
            {
                WriteArray(writer, "Options", $"{Graph}.OptionDescriptor", step.Options.Select(OptionDescriptor));
            }
            writer.WriteLine($"CodeHash: {CSharpText.Literal(step.CodeHash)},");
            writer.WriteLine($"Description: {CSharpText.Literal(step.Description)}),");
            writer.Unindent();
        }
        writer.CloseBlock(",");
    }

    /// <summary>A stage's options: its own list (<c>Settings.Options</c>), the attribute's written values as defaults.</summary>
    private static void WriteStageOptions(SourceWriter writer, StepSpec step, StageCallSpec stage)
    {
        if (step.Options.IsEmpty)
        {
            writer.WriteLine($"Options: {stage.SettingsTypeName}.Options,");
            return;
        }
        writer.WriteLine($"Options: global::DeclFed.Stages.StageOptions.WithDefaults(");
        writer.Indent();
        writer.WriteLine($"{stage.SettingsTypeName}.Options,");
        for (var i = 0; i < step.Options.Count; i++)
        {
            var option = step.Options[i];
            writer.WriteLine($"({CSharpText.Literal(option.Name)}, {CSharpText.Literal(option.DefaultValue)}){(i == step.Options.Count - 1 ? ")," : ",")}");
        }
        writer.Unindent();
    }

    private static string OptionDescriptor(OptionSpec option)
    {
        var allowed = option.AllowedValues.IsEmpty
            ? "global::System.Array.Empty<string>()"
            : "new string[] { " + string.Join(", ", option.AllowedValues.Select(v => CSharpText.Literal(v))) + " }";
        return $"new {Graph}.OptionDescriptor(Name: {CSharpText.Literal(option.Name)}, Parameter: {CSharpText.Literal(option.Parameter)}, " +
            $"Kind: {Graph}.OptionKind.{option.Kind}, TypeName: {CSharpText.Literal(option.TypeDisplay)}, " +
            $"DefaultValue: {CSharpText.Literal(option.DefaultValue)}, AllowedValues: {allowed}, Description: {CSharpText.Literal(option.Description)})";
    }

    private static void WriteArray(SourceWriter writer, string name, string elementType, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            writer.WriteLine($"{name}: global::System.Array.Empty<{elementType}>(),");
            return;
        }
        writer.WriteLine($"{name}: new {elementType}[]");
        writer.OpenBlock();
        foreach (var item in list)
        {
            writer.WriteLine(item + ",");
        }
        writer.CloseBlock(",");
    }

    // One concatenated literal a line keeps the graph readable in the generated source and compiles to one constant.
    private static void WriteMermaid(SourceWriter writer, PipelineSpec pipeline)
    {
        var lines = MermaidWriter.Lines(pipeline);
        writer.WriteLine("Mermaid:");
        writer.Indent();
        for (var i = 0; i < lines.Count; i++)
        {
            var last = i == lines.Count - 1;
            writer.WriteLine(CSharpText.Literal(last ? lines[i] : lines[i] + "\n") + (last ? ");" : " +"));
        }
        writer.Unindent();
    }

    private static void WriteExecute(SourceWriter writer, PipelineSpec pipeline)
    {
        var signature = $"{Tasks}.Task ExecuteAsync({Graph}.IStepExecutor executor, global::System.Threading.CancellationToken cancellationToken)";
        if (pipeline.Steps.IsEmpty)
        {
            writer.WriteLine($"public {signature}");
            writer.OpenBlock();
            writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(executor);");
            writer.WriteLine($"return {Tasks}.Task.CompletedTask;");
            writer.CloseBlock();
            return;
        }
        writer.WriteLine($"public async {signature}");
        writer.OpenBlock();
        writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(executor);");
        var locals = LocalNames(pipeline.Steps);
        for (var index = 0; index < pipeline.Steps.Count; index++)
        {
            var step = pipeline.Steps[index];
            var target = step.IsStatic ? pipeline.TypeName : "_pipeline";
            var arguments = step.Arguments.Select(a => Argument(a, locals));
            var body = step.Stage is { } stage
                ? StageCode.RunAsync(stage, step.OutputTypeName, "context", $"{stage.SettingsTypeName}.FromOptions(context)", arguments, "ct")
                : Call(step, $"{target}.{step.MethodName}({string.Join(", ", arguments)})");
            writer.WriteLine($"var {locals[step.Name]} = await executor.RunAsync<{step.OutputTypeName}>(");
            writer.Indent();
            writer.WriteLine($"StaticDescriptor.Steps[{index}],");
            writer.WriteLine($"(context, ct) => {body},");
            writer.WriteLine("cancellationToken).ConfigureAwait(false);");
            writer.Unindent();
        }
        writer.CloseBlock();
    }

    private static string Call(StepSpec step, string call) =>
        step.ReturnShape == ReturnShape.ValueTask ? call : $"new {Tasks}.ValueTask<{step.OutputTypeName}>({call})";

    /// <summary>
    /// The start-up check of the stages' settings: each stage step's settings read back from its configured options and
    /// validated (the host reports every problem before any step runs).
    /// </summary>
    private static void WriteCheckSettings(SourceWriter writer, PipelineSpec pipeline)
    {
        var stages = pipeline.Steps.Where(s => s.Stage is not null).ToList();
        if (stages.Count == 0)
        {
            return;
        }
        writer.WriteLine();
        writer.WriteLine($$"""
            /// <inheritdoc/>
            public global::System.Collections.Generic.IReadOnlyList<global::DeclFed.Stages.SettingProblem> CheckSettings({{Graph}}.StepDescriptor step, {{Graph}}.IOptionSource options)
            {
                global::System.ArgumentNullException.ThrowIfNull(step);
                return step.Name switch
                {
            """);
        writer.Indent();
        writer.Indent();
        foreach (var step in stages)
        {
            writer.WriteLine($"{CSharpText.Literal(step.Name)} => {step.Stage!.SettingsTypeName}.FromOptions(options).Validate(),");
        }
        writer.WriteLine("_ => global::System.Array.Empty<global::DeclFed.Stages.SettingProblem>(),");
        writer.Unindent();
        writer.WriteLine("};");
        writer.Unindent();
        writer.WriteLine("}");
    }

    private static string Argument(ArgumentSpec argument, Dictionary<string, string> locals) => argument.Kind switch
    {
        ArgumentKind.Input => locals[argument.Source],
        ArgumentKind.CancellationToken => "ct",
        ArgumentKind.Context => "context",
        _ when argument.EnumTypeName.Length > 0 =>
            $"global::System.Enum.Parse<{argument.EnumTypeName}>(context.GetOption<string>({CSharpText.Literal(argument.Source)}))",
        _ => $"context.GetOption<{argument.ValueTypeName}>({CSharpText.Literal(argument.Source)})",
    };

    /// <summary>
    /// The local holding each step's output: the step name in camel case, or with an <c>Output</c> suffix where
    /// that would clash with another local, a parameter of the method or a lambda parameter.
    /// </summary>
    private static Dictionary<string, string> LocalNames(EquatableArray<StepSpec> steps)
    {
        var taken = new HashSet<string> { "executor", "cancellationToken", "context", "ct" };
        var camel = steps.Select(s => char.ToLowerInvariant(s.Name[0]) + s.Name.Substring(1)).ToList();
        var locals = new Dictionary<string, string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var name = camel[i];
            if (taken.Contains(name) || camel.Count(c => c == name) > 1)
            {
                name = steps[i].Name + "Output";
            }
            taken.Add(name);
            locals[steps[i].Name] = TypeNames.Identifier(name);
        }
        return locals;
    }

    private static void WriteServiceCollectionExtension(SourceWriter writer, PipelineSpec pipeline, string definition, string addMethodName, string accessibility)
    {
        writer.WriteLine($$"""
            namespace Microsoft.Extensions.DependencyInjection
            {
                /// <summary>Registers the generated pipeline definition of <see cref="{{pipeline.TypeName}}"/>.</summary>
                {{CSharpText.GeneratedCode}}
                {{accessibility}} static class {{addMethodName.Substring(3)}}ServiceCollectionExtensions
                {
                    /// <summary>
                    /// Registers the {{pipeline.PipelineName}} pipeline: the class itself (transient, unless already registered) and its
                    /// definition as an <see cref="{{Graph}}.IPipelineDefinition"/> singleton (once, however often this is called).
                    /// </summary>
                    /// <param name="services">The service collection.</param>
                    /// <returns><paramref name="services"/>, for chaining.</returns>
                    public static {{DependencyInjection}}.IServiceCollection {{addMethodName}}(this {{DependencyInjection}}.IServiceCollection services)
                    {
                        global::System.ArgumentNullException.ThrowIfNull(services);
                        {{DependencyInjection}}.Extensions.ServiceCollectionDescriptorExtensions.TryAddTransient<{{pipeline.TypeName}}>(services);
                        {{DependencyInjection}}.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(
                            services,
                            {{DependencyInjection}}.ServiceDescriptor.Singleton<{{Graph}}.IPipelineDefinition, {{definition}}>(
                                static provider => new {{definition}}({{DependencyInjection}}.ServiceProviderServiceExtensions.GetRequiredService<{{pipeline.TypeName}}>(provider))));
                        return services;
                    }
                }
            }
            """);
    }
}
