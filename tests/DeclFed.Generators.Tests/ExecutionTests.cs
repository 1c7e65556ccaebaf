using System.Collections;
using DeclFed.Graph;
using Microsoft.Extensions.DependencyInjection;

namespace DeclFed.Generators.Tests;

/// <summary>Compiles generated code with the user's code, loads it and runs it against the real DeclFed runtime.</summary>
public sealed class ExecutionTests
{
    private static readonly Dictionary<string, object?> QuickstartOptions = new()
    {
        ["Raw:prefix"] = "q",
        ["Raw:count"] = 4,
        ["Clean:minLength"] = 2,
        ["Ordered:order"] = "Longest",
        ["Ordered:scale"] = 2f,
        ["Ordered:threshold"] = 0.25,
        ["Ordered:strict"] = true,
        ["Ordered:ranks"] = null,
        ["Ordered:weights"] = new[] { 1.0 },
        ["Merge:tag"] = "t",
        ["Merge:labels"] = new[] { "x", "y" },
        ["Merge:seed"] = 7L,
    };

    [Fact]
    public async Task Executor_runs_steps_in_topological_order_and_hands_outputs_along()
    {
        using var assembly = TestSources.QuickstartRun.Load();
        var pipeline = Activator.CreateInstance(assembly.Type("Demo.Pipelines.Quickstart"))!;
        var definition = (IPipelineDefinition)Activator.CreateInstance(assembly.Type("Demo.Pipelines.QuickstartPipelineDefinition"), pipeline)!;
        var executor = new RecordingExecutor(QuickstartOptions);
        using var cancellation = new CancellationTokenSource();

        await definition.ExecuteAsync(executor, cancellation.Token);

        // Merge is declared before Ordered but consumes it, so it runs last.
        Assert.Equal(["Raw", "Clean", "Ordered", "Merge"], executor.Ran);
        Assert.Equal(["Raw", "Clean", "Ordered", "Merge"], definition.Descriptor.Steps.Select(s => s.Name));
        Assert.Equal(
            ["q0/x/0", "q1/xx/1", "q2/xxx/2", "q3/xxxx/3"],
            Rows(executor.Outputs["Raw"]));
        Assert.Equal(["q1/xx/1", "q2/xxx/2", "q3/xxxx/3"], Rows(executor.Outputs["Clean"]));
        // Longest first; Score = Score * scale + the number of the step's options (6) read through the StepContext.
        Assert.Equal(["q3/xxxx/12", "q2/xxx/10", "q1/xx/8"], Rows(executor.Outputs["Ordered"]));
        Assert.Equal(["t:q3/xxxx/12", "t:q2/xxx/10", "t:q0/x/0"], Rows(executor.Outputs["Merge"]));

        var seen = (IEnumerable<string>)pipeline.GetType().GetProperty("Seen")!.GetValue(pipeline)!;
        Assert.Equal(["Clean cancellable=True", "Merge tag=t labels=x|y seed=7"], seen);
        Assert.All(executor.TokensSeen, token => Assert.Equal(cancellation.Token, token));
    }

    [Fact]
    public void Descriptor_describes_steps_edges_and_options()
    {
        using var assembly = TestSources.QuickstartRun.Load();
        var descriptor = (PipelineDescriptor)assembly.Type("Demo.Pipelines.QuickstartPipelineDefinition").GetProperty("StaticDescriptor")!.GetValue(null)!;

        Assert.Equal("Quickstart", descriptor.Name);
        Assert.Equal("Demo.Pipelines.Quickstart", descriptor.TypeName);
        Assert.Equal("Generate, clean, order and merge instructions", descriptor.Description);
        var merge = descriptor.FindStep("Merge")!;
        Assert.Equal("Step", merge.Kind);
        Assert.Equal("Dataset<Instruction>", merge.OutputType);
        Assert.Equal(
            [new StepInputDescriptor("best", "Ordered", "Dataset<Instruction>"), new StepInputDescriptor("raw", "Raw", "Dataset<Instruction>")],
            merge.Inputs);
        Assert.Equal(16, merge.CodeHash.Length);
        Assert.All(descriptor.Steps, step => Assert.Matches("^[0-9a-f]{16}$", step.CodeHash));
        Assert.Equal(4, descriptor.Steps.Select(s => s.CodeHash).Distinct().Count());

        var tag = merge.Options[0];
        Assert.Equal((OptionKind.String, null, "string"), (tag.Kind, tag.DefaultValue, tag.TypeName));
        var clean = descriptor.FindStep("Clean")!;
        Assert.Equal(("minLength", "minimum", OptionKind.Int32, "2"), (clean.Options[0].Name, clean.Options[0].Parameter, clean.Options[0].Kind, clean.Options[0].DefaultValue));
        var order = descriptor.FindStep("Ordered")!.Options;
        Assert.Equal(
            [(OptionKind.Enum, "Longest"), (OptionKind.Single, "1.5"), (OptionKind.Double, "0.25"), (OptionKind.Boolean, "true"), (OptionKind.Int32Array, null), (OptionKind.DoubleArray, null)],
            order.Select(o => (o.Kind, o.DefaultValue)));
        Assert.Equal(["Shortest", "Longest", "AsIs"], order[0].AllowedValues);
        Assert.Equal("Prefix of every prompt", descriptor.FindStep("Raw")!.Options[0].Description);
        Assert.Equal("Makes the raw instructions", descriptor.FindStep("Raw")!.Description);

        Assert.StartsWith("flowchart TD\n", descriptor.Mermaid);
        Assert.Contains("    Ordered -->|best| Merge", descriptor.Mermaid);
        Assert.Contains("    Raw -->|raw| Merge", descriptor.Mermaid);
        Assert.Contains("tag: string (required)", descriptor.Mermaid);
    }

    [Fact]
    public void Dependency_injection_entry_point_registers_the_pipeline_and_one_definition()
    {
        using var assembly = TestSources.QuickstartRun.Load();
        var services = new ServiceCollection();
        var add = assembly.Type("Microsoft.Extensions.DependencyInjection.QuickstartPipelineServiceCollectionExtensions").GetMethod("AddQuickstartPipeline")!;

        Assert.Same(services, add.Invoke(null, [services]));
        add.Invoke(null, [services]);

        var pipelineType = assembly.Type("Demo.Pipelines.Quickstart");
        var registration = Assert.Single(services, d => d.ServiceType == pipelineType);
        Assert.Equal(ServiceLifetime.Transient, registration.Lifetime);
        var definition = Assert.Single(services, d => d.ServiceType == typeof(IPipelineDefinition));
        Assert.Equal(ServiceLifetime.Singleton, definition.Lifetime);

        var pipeline = Activator.CreateInstance(pipelineType)!;
        var created = definition.ImplementationFactory!(new SingleServiceProvider(pipelineType, pipeline));
        Assert.Equal("Demo.Pipelines.QuickstartPipelineDefinition", created.GetType().FullName);
        Assert.Equal("Quickstart", ((IPipelineDefinition)created).Descriptor.Name);
    }

    [Fact]
    public async Task Pipeline_without_steps_runs_nothing()
    {
        const string source = """
            namespace Empty;

            [DeclFed.Pipeline]
            public partial class Nothing
            {
            }
            """;
        var run = GeneratorHarness.Run(source);
        Assert.Equal("DF0011", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.CompilerProblems());
        using var assembly = run.Load();
        var definition = (IPipelineDefinition)Activator.CreateInstance(assembly.Type("Empty.NothingPipelineDefinition"), Activator.CreateInstance(assembly.Type("Empty.Nothing")))!;
        var executor = new RecordingExecutor(new Dictionary<string, object?>());

        await definition.ExecuteAsync(executor, CancellationToken.None);

        Assert.Empty(executor.Ran);
        Assert.Empty(definition.Descriptor.Steps);
    }

    private static List<string> Rows(object dataset) =>
        ((IEnumerable)dataset).Cast<object>().Select(row =>
        {
            var type = row.GetType();
            return $"{type.GetProperty("Prompt")!.GetValue(row)}/{type.GetProperty("Response")!.GetValue(row)}/{type.GetProperty("Score")!.GetValue(row)}";
        }).ToList();

    /// <summary>Calls every body at once and remembers what ran, what it produced and which token it passed.</summary>
    private sealed class RecordingExecutor(Dictionary<string, object?> options) : IStepExecutor
    {
        public List<string> Ran { get; } = [];
        public Dictionary<string, object> Outputs { get; } = [];
        public List<CancellationToken> TokensSeen { get; } = [];

        public async ValueTask<T> RunAsync<T>(StepDescriptor step, Func<StepContext, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
            where T : IArtifact<T>
        {
            Ran.Add(step.Name);
            TokensSeen.Add(cancellationToken);
            var output = await body(new DictionaryStepContext(step, options), cancellationToken);
            Outputs[step.Name] = output;
            return output;
        }
    }

    private sealed class DictionaryStepContext(StepDescriptor step, Dictionary<string, object?> options) : StepContext
    {
        public override StepDescriptor Step => step;
        public override IServiceProvider Services => throw new NotSupportedException("The test executor has no services.");
        public override ulong Seed => 1;

        public override ulong RunSeed => 2;
        public override string WorkDirectory => Path.GetTempPath();

        public override T GetOption<T>(string name)
        {
            Assert.Contains(step.Options, o => o.Name == name);
            return options.TryGetValue($"{step.Name}:{name}", out var value)
                ? (T)value!
                : throw new KeyNotFoundException($"The test gives no value for {step.Name}:{name}.");
        }

        public override void ReportProgress(StepProgress progress)
        {
        }
    }

    private sealed class SingleServiceProvider(Type type, object instance) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == type ? instance : null;
    }
}
