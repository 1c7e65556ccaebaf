extern alias FederatedAnalyzers;
extern alias WordCountsAnalyzers;

using System.Collections;
using System.Globalization;
using System.Reflection;
using DeclFed.Graph;
using DeclFed.Stages;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using FederatedLoraAnalyzer = FederatedAnalyzers::DeclFed.Federated.Analyzers.FederatedLoraAnalyzer;
using WordCountsAnalyzer = WordCountsAnalyzers::WordCountStage.Analyzers.WordCountsAnalyzer;

namespace DeclFed.Generators.Tests;

/// <summary>
/// Declarative stages, learnt from their own assemblies: the generated half of a stage's settings, a pipeline's descriptor,
/// executor, start-up check and standalone bodies for its stages, and agreement between the build-time and run-time checks.
/// </summary>
public sealed class DeclarativeStageTests
{
    [Fact]
    public void Pipeline_definition_with_federated_stages() =>
        SnapshotAssert.Matches(FederatedTestSources.TuningRun.Source("Demo.Federated.Tuning.Pipeline.g.cs"), nameof(DeclarativeStageTests));

    [Fact]
    public void Implementing_declarations_of_the_stages() =>
        SnapshotAssert.Matches(FederatedTestSources.TuningRun.Source("Demo.Federated.Tuning.Stages.g.cs"), nameof(DeclarativeStageTests));

    [Fact]
    public void Generated_half_of_a_stage_settings_class() =>
        SnapshotAssert.Matches(FederatedTestSources.RecordRun.Source("Demo.Stages.RecordSettings.Settings.g.cs"), nameof(DeclarativeStageTests));

    [Fact]
    public void A_stage_options_are_its_settings_in_order_with_their_kinds_defaults_allowed_values_and_doc_comments()
    {
        using var assembly = FederatedTestSources.RecordRun.Load();
        var settings = assembly.Type("Demo.Stages.RecordSettings");
        var options = (IReadOnlyList<OptionDescriptor>)settings.GetProperty("Options")!.GetValue(null)!;

        Assert.Equal(StageSettings.Settings(settings).Select(p => p.Name), options.Select(o => o.Name));
        Assert.Equal(["Count", "Limit", "Mode", "Tags", "Weights", "Scale", "Shuffle"], options.Select(o => o.Name));
        Assert.Equal(
            [(OptionKind.Int32, "int", "3"), (OptionKind.Int32, "int", "2"), (OptionKind.Enum, "Mode", "Fast"), (OptionKind.StringArray, "string[]", "a"),
             (OptionKind.DoubleArray, "double[]", ""), (OptionKind.Double, "double", "0.5"), (OptionKind.Boolean, "bool", "false")],
            options.Select(o => (o.Kind, o.TypeName, o.DefaultValue)));
        Assert.Equal(["Fast", "Careful"], options.Single(o => o.Name == "Mode").AllowedValues);
        Assert.Equal("The most records of one kind, at most Count.", options.Single(o => o.Name == "Limit").Description);
    }

    [Fact]
    public void The_federated_stage_options_are_every_setting_of_its_settings_class_with_a_description()
    {
        var options = FederatedLoraSettings.Options;

        Assert.Equal(StageSettings.Settings(typeof(FederatedLoraSettings)).Select(p => p.Name), options.Select(o => o.Name));
        Assert.DoesNotContain(options, o => o.Name is "Description" or "IsZerothOrder" or "HasHeterogeneousRanks");
        Assert.All(options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), o.Name));
        var defaults = new FederatedLoraSettings();
        Assert.All(options, o => Assert.Equal(SettingText.Option(typeof(FederatedLoraSettings).GetProperty(o.Name)!.GetValue(defaults)), o.DefaultValue));
        Assert.Equal(Enum.GetNames<Aggregation>(), options.Single(o => o.Name == "Aggregation").AllowedValues);
    }

    [Fact]
    public void The_prompt_templates_a_federated_stage_allows_are_the_built_in_ones()
    {
        var allowed = typeof(FederatedLoraSettings).GetProperty(nameof(FederatedLoraSettings.PromptTemplate))!.GetCustomAttribute<OneOfAttribute>()!.Values;

        Assert.All(allowed, name => Assert.Equal(name, Data.Tokenizers.PromptTemplate.Get(name).Name));
        Assert.Throws<ArgumentException>(() => Data.Tokenizers.PromptTemplate.Get("alpacaa"));
    }

    [Fact]
    public void Descriptor_lists_every_setting_as_an_option_with_the_attribute_value_as_default()
    {
        using var assembly = FederatedTestSources.TuningRun.Load();
        var descriptor = StaticDescriptor(assembly, "Demo.Federated.TuningPipelineDefinition");
        var finetune = descriptor.FindStep("Finetune")!;

        Assert.Equal("FederatedLora", finetune.Kind);
        Assert.Equal("LoraModel", finetune.OutputType);
        Assert.Equal("Fine-tunes the base model on the clients' shards.", finetune.Description);
        Assert.Equal(
            [new StepInputDescriptor("base", "Base", "LanguageModel"), new StepInputDescriptor("train", "Train", "Dataset<Instruction>"), new StepInputDescriptor("validation", "Held", "Dataset<Instruction>")],
            finetune.Inputs);
        Assert.Equal(FederatedLoraSettings.Options.Select(o => o.Name), finetune.Options.Select(o => o.Name));

        var byName = finetune.Options.ToDictionary(o => o.Name);
        Assert.Equal((OptionKind.Int32, "int", "20"), (byName["Rounds"].Kind, byName["Rounds"].TypeName, byName["Rounds"].DefaultValue));
        Assert.Equal((OptionKind.Int32Array, "int[]", "16,8,4"), (byName["Ranks"].Kind, byName["Ranks"].TypeName, byName["Ranks"].DefaultValue));
        Assert.Equal((OptionKind.StringArray, "q_proj,k_proj,v_proj"), (byName["TargetModules"].Kind, byName["TargetModules"].DefaultValue));
        Assert.Equal((OptionKind.Double, "0.0002"), (byName["LearningRate"].Kind, byName["LearningRate"].DefaultValue));
        Assert.Equal((OptionKind.String, "chatml"), (byName["PromptTemplate"].Kind, byName["PromptTemplate"].DefaultValue));
        Assert.Equal((OptionKind.Enum, "Aggregation", "FLoRA"), (byName["Aggregation"].Kind, byName["Aggregation"].TypeName, byName["Aggregation"].DefaultValue));
        // Not written: the settings' own default.
        Assert.Equal(("1024", "0.9", "", "None"), (byName["Seeds"].DefaultValue, byName["ServerMomentum"].DefaultValue, byName["RankShares"].DefaultValue, byName["FedHyper"].DefaultValue));

        var baseline = descriptor.FindStep("Baseline")!;
        Assert.Equal("The zeroth-order baseline", baseline.Description);
        Assert.Equal([new StepInputDescriptor("base", "Base", "LanguageModel"), new StepInputDescriptor("data", "Train", "Dataset<Instruction>")], baseline.Inputs);
        Assert.Equal("FedKSeed", baseline.Options.Single(o => o.Name == "Aggregation").DefaultValue);
        Assert.Contains("Finetune: LoraModel<br/>[FederatedLora]<br/>Rounds: int = 20<br/>", descriptor.Mermaid);
        Assert.Contains("    Held -->|validation| Finetune", descriptor.Mermaid);
    }

    [Fact]
    public void Written_defaults_are_written_as_the_runtime_writes_option_text()
    {
        using var assembly = FederatedTestSources.RecordRun.Load();
        var kept = StaticDescriptor(assembly, "Demo.Recorded.RecordedPipelineDefinition").FindStep("Kept")!;
        var written = new Dictionary<string, object?>
        {
            ["Count"] = 5, ["Limit"] = 4, ["Mode"] = Enum.Parse(assembly.Type("Demo.Stages.Mode"), "Careful"), ["Tags"] = new[] { "x", "y" },
            ["Weights"] = new[] { 0.25, 2.0 }, ["Scale"] = 1e-3, ["Shuffle"] = true,
        };

        Assert.All(written, pair => Assert.Equal(SettingText.Option(pair.Value), kept.Options.Single(o => o.Name == pair.Key).DefaultValue));
    }

    [Fact]
    public async Task Executor_reads_every_setting_from_the_step_options_and_calls_the_runtime()
    {
        using var assembly = FederatedTestSources.RecordRun.Load();
        var calls = RecordCalls(assembly);
        var definition = Definition(assembly);
        // Configuration overrides two settings of Kept; everything else comes from the descriptor's defaults.
        var overrides = new Dictionary<string, object> { ["Kept:Count"] = 9, ["Kept:Mode"] = "Fast" };

        await definition.ExecuteAsync(new DefaultsExecutor(overrides), CancellationToken.None);

        var recorded = calls.Items;
        Assert.Equal([("Kept", "Record", true), ("Plain", "Record", false)], recorded.Select(c => (c.Step, c.Kind, c.Extra)));
        Assert.Equal(("9", "4", "Fast", "x,y", "0.25,2", "0.001", "true"), Values(recorded[0].Settings));
        Assert.Equal(("3", "2", "Fast", "a", "", "0.5", "false"), Values(recorded[1].Settings));
    }

    [Fact]
    public void Standalone_body_runs_the_stage_with_the_attribute_values_and_seed_zero()
    {
        using var assembly = FederatedTestSources.RecordRun.Load();
        var calls = RecordCalls(assembly);
        var type = assembly.Type("Demo.Recorded.Recorded");
        var pipeline = Activator.CreateInstance(type)!;
        var rows = type.GetMethod("Load")!.Invoke(pipeline, []);

        var result = type.GetMethod("Kept")!.Invoke(pipeline, [rows, rows]);

        Assert.Same(rows, result);
        var call = Assert.Single(calls.Items);
        Assert.Equal(("Kept", "Record", true, 0UL), (call.Step, call.Kind, call.Extra, call.Seed));
        Assert.Equal(("5", "4", "Careful", "x,y", "0.25,2", "0.001", "true"), Values(call.Settings));
    }

    [Fact]
    public void Start_up_check_validates_each_stage_with_its_settings_as_configured()
    {
        using var assembly = FederatedTestSources.RecordRun.Load();
        var definition = Definition(assembly);
        var kept = definition.Descriptor.FindStep("Kept")!;

        Assert.Empty(definition.CheckSettings(kept, new DefaultsContext(kept, [])));
        var problems = definition.CheckSettings(kept, new DefaultsContext(kept, new Dictionary<string, object> { ["Kept:Limit"] = 9, ["Kept:Tags"] = new[] { "x", "x" } }));
        Assert.Equal(["DF0030: 'x' is listed more than once in Tags; list each value once", "TS0001: Limit = 9 is more than Count = 5"],
            problems.Select(p => $"{p.Rule.Id}: {p.Message}").Order(StringComparer.Ordinal));
        Assert.Empty(definition.CheckSettings(definition.Descriptor.FindStep("Load")!, new DefaultsContext(kept, [])));
    }

    [Fact]
    public void Stage_of_a_nested_record_pipeline_in_the_global_namespace_compiles()
    {
        const string source = """
            using DeclFed;
            using DeclFed.Data;
            using DeclFed.Models;

            public static partial class Outer
            {
                [Pipeline]
                internal sealed partial record Inner
                {
                    [Step] public LanguageModel Base() => null!;
                    [Step] public Dataset<Instruction> Train() => Dataset<Instruction>.Empty;
                    [FederatedLora(Ranks = [4, 2], Aggregation = Aggregation.FlexLoRA)]
                    private partial LoraModel @event(LanguageModel @base, Dataset<Instruction> train);
                }
            }
            """;
        var run = GeneratorHarness.Run(source).ShouldCompileCleanly();
        var bodies = run.Source("Outer.Inner.Stages.g.cs");

        Assert.DoesNotContain("namespace", bodies);
        Assert.Contains("partial class Outer\n{\n    partial record Inner\n    {\n", bodies);
        Assert.Contains("private partial global::DeclFed.Models.LoraModel @event(global::DeclFed.Models.LanguageModel @base, ", bodies);
        Assert.Contains("Ranks = new int[] { 4, 2 },", bodies);
        Assert.Contains("Kind: \"FederatedLora\"", run.Source("Outer.Inner.Pipeline.g.cs"));
    }

    /// <summary>
    /// The build-time and run-time checks are one code: for each case the stage's analyzer flags exactly the settings
    /// <c>FederatedLoraSettings.Validate()</c> flags (the attribute's values then, the settings' values now).
    /// </summary>
    [Fact]
    public void The_stage_analyzer_and_Validate_flag_the_same_settings()
    {
        string[] cases =
        [
            "Rounds = 20",
            "Rounds = 0",
            "Clients = 0",
            "Clients = 4",
            "ClientsPerRound = 0",
            "ClientsPerRound = 20, Clients = 16",
            "ClientFraction = 1.5",
            "ClientFraction = -0.1",
            "ClientFraction = double.NaN",
            "ClientFraction = 0.5, MinClientsPerRound = 0",
            "ClientFraction = 0.5, MinClientsPerRound = 17",
            "ClientFraction = 0.5, ClientsPerRound = 0",
            "Aggregation = Aggregation.FedIT, Ranks = new[] { 16, 8 }",
            "Aggregation = Aggregation.FedMeZO, Ranks = new[] { 4, 8 }",
            "Aggregation = Aggregation.FedKSeedPro, Ranks = new[] { 4, 4, 8 }",
            "Aggregation = Aggregation.FedIT, Ranks = new[] { 8, 8 }",
            "Aggregation = Aggregation.FLoRA, Ranks = new[] { 16, 8, 4 }",
            "Ranks = new int[0]",
            "Ranks = new[] { 8, 0, -2, 0 }",
            "Ranks = null",
            "Ranks = new[] { 8, 4 }, RankShares = new[] { 0.5 }",
            "Ranks = new[] { 8, 4 }, RankShares = new[] { 0.5, 0.0 }",
            "Ranks = new[] { 8, 4 }, RankShares = new[] { 0.7, 0.3 }",
            "RankShares = null",
            "LoraScaling = 0",
            "LoraScaling = double.PositiveInfinity",
            "LoraDropout = 1.0",
            "LoraDropout = 0.1",
            "TargetModules = new[] { \"q_prj\" }",
            "TargetModules = new[] { \"q_proj\", \"q_proj\", \"x\" }",
            "TargetModules = new string[0]",
            "TargetModules = null",
            "Partition = Partition.Dirichlet, Alpha = 0",
            "Alpha = double.NaN",
            "Partition = Partition.Iid, Alpha = -1",
            "Partition = Partition.Pathological, CategoriesPerClient = 0",
            "Partition = Partition.QuantitySkew, QuantitySigma = -0.5",
            "MinRecordsPerClient = 0",
            "LocalSteps = 0, BatchSize = 0, SequenceLength = 1",
            "LearningRate = 0",
            "WeightDecay = -1, MaxGradNorm = -1",
            "ServerLearningRate = 0, ServerMomentum = 1.0",
            "Aggregation = Aggregation.FedKSeed, ServerOptimizer = ServerOptimizer.FedAdam",
            "Aggregation = Aggregation.FedKSeedPro, FedHyper = FedHyper.Global",
            "Aggregation = Aggregation.FedKSeed, Seeds = 0",
            "Seeds = 0, ZerothOrderEpsilon = 0",
            "Aggregation = Aggregation.FedMeZO, ZerothOrderEpsilon = 0",
            "PromptTemplate = \" \"",
            "PromptTemplate = null",
            "EvaluateEvery = -1, Parallelism = -1, OutlierThreshold = 0",
            "Aggregation = (Aggregation)42",
            "Partition = (Partition)9, ServerOptimizer = (ServerOptimizer)7, FedHyper = (FedHyper)(-1)",
            "Rounds = 0, Clients = 0, LearningRate = -1",
        ];
        var source = new System.Text.StringBuilder("""
            using DeclFed;
            using DeclFed.Data;
            using DeclFed.Models;

            namespace Demo.Agreement;

            """);
        for (var i = 0; i < cases.Length; i++)
        {
            source.AppendLine($$"""
                [Pipeline]
                public partial class Case{{i}}
                {
                    [Step] public LanguageModel Base() => null!;
                    [Step] public Dataset<Instruction> Train() => Dataset<Instruction>.Empty;
                    [FederatedLora({{cases[i]}})]
                    public partial LoraModel Stage(LanguageModel @base, Dataset<Instruction> train);
                    public static FederatedLoraSettings Settings() => new FederatedLoraSettings { {{cases[i]}} };
                }
                """);
        }
        var run = GeneratorHarness.Run(source.ToString());
        Assert.Null(run.Generator.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        var analyzed = GeneratorHarness.Analyze(run.Output, new FederatedLoraAnalyzer());
        var tree = run.Input.SyntaxTrees.First();
        var classes = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().ToList();
        using var assembly = run.Load();

        var flaggedCases = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            var span = classes.Single(c => c.Identifier.Text == $"Case{i}").Span;
            var atBuild = analyzed
                .Where(d => d.Location.SourceTree == tree && span.Contains(d.Location.SourceSpan))
                .Select(d => $"{d.Id} {d.Properties["Setting"]}")
                .ToHashSet();
            var settings = (FederatedLoraSettings)assembly.CallStatic($"Demo.Agreement.Case{i}", "Settings")!;
            var atRunTime = settings.Validate().Select(p => $"{p.Rule.Id} {p.Setting}").ToHashSet();
            Assert.True(atRunTime.SetEquals(atBuild),
                $"[FederatedLora({cases[i]})]: the analyzer flags {{{string.Join(", ", atBuild.Order())}}}, Validate() flags {{{string.Join(", ", atRunTime.Order())}}}.");
            flaggedCases += atRunTime.Count > 0 ? 1 : 0;
        }
        // The list must exercise both verdicts, or the comparison proves little.
        Assert.InRange(flaggedCases, cases.Length - 12, cases.Length - 6);
    }

    /// <summary>A stage authored in an assembly of its own (tests/StageAuthoring): no generator change, the same checks as a built-in one.</summary>
    [Fact]
    public void A_stage_authored_elsewhere_is_checked_by_its_own_analyzer()
    {
        const string source = """
            using DeclFed;
            using DeclFed.Data;
            using WordCountStage;

            namespace Demo.Words;

            [Pipeline]
            public partial class Counted
            {
                [Step] public Dataset<Instruction> Records() => Dataset<Instruction>.Empty;
                [WordCounts(MinLength = 9, MaxLength = 3, Top = 0, Field = "answer")]
                public partial Dataset<WordCount> Words(Dataset<Instruction> records);
            }
            """;
        var run = GeneratorHarness.Run(source).ShouldCompileCleanly();
        var diagnostics = GeneratorHarness.Analyze(run.Output, new WordCountsAnalyzer());

        Assert.Equal(
            ["DF0029 Field = \"answer\" is not allowed; use one of prompt, response, both @ Field = \"answer\"",
             "DF0033 Top = 0: keep at least one word @ Top = 0",
             "WC0001 MinLength = 9 is more than MaxLength = 3; no word could be counted @ MinLength = 9"],
            diagnostics.Select(d => $"{d.Id} {d.GetMessage(CultureInfo.InvariantCulture)} @ {d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)}").Order(StringComparer.Ordinal));
        Assert.Contains("WordCountStage.WordCountsStage.RunAsync(context, global::WordCountStage.WordCountSettings.FromOptions(context), records, cancellationToken: ct)",
            run.Source("Demo.Words.Counted.Pipeline.g.cs").Replace("global::WordCountStage.WordCountsStage", "WordCountStage.WordCountsStage"));
    }

    [Fact]
    public void Changing_an_attribute_argument_changes_the_code_hash_and_the_default()
    {
        var compilation = GeneratorHarness.Compile([FederatedTestSources.Tuning]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.GetText().ToString().Replace("Rounds = 20,", "Rounds = 30,")));
        var after = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));

        var before = Definition(driver).Split('\n');
        var changed = before.Zip(Definition(after).Split('\n')).Where(pair => pair.First != pair.Second).ToList();
        Assert.Equal(3, changed.Count);
        Assert.Contains(changed, pair => pair.First.Contains("(\"Rounds\", \"20\")") && pair.Second.Contains("(\"Rounds\", \"30\")"));
        Assert.Contains(changed, pair => pair.First.Contains("CodeHash:"));
        Assert.Contains(changed, pair => pair.First.Contains("Rounds: int = 20") && pair.Second.Contains("Rounds: int = 30"));

        static string Definition(GeneratorDriver driver) =>
            driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Demo.Federated.Tuning.Pipeline.g.cs").SourceText.ToString();
    }

    public static TheoryData<string, string> MalformedStages => new()
    {
        { "non-constant argument", "[FederatedLora(Rounds = Count())] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train); public static int Count() => 3;" },
        { "int setting given a string", "[FederatedLora(Rounds = \"many\")] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "list setting given a number", "[FederatedLora(Ranks = 5)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "list setting given doubles", "[FederatedLora(Ranks = new[] { 1.5 })] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "enum setting given a number", "[FederatedLora(Aggregation = 2)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "Ranks = null", "[FederatedLora(Ranks = null)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "null target module", "[FederatedLora(TargetModules = new string[] { null!, \"q_proj\" })] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "collection expression", "[FederatedLora(Ranks = [8, 0], TargetModules = [\"q_proj\", \"nope\"])] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "half-typed argument", "[FederatedLora(Rounds = )] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "unknown named argument", "[FederatedLora(Round = 3)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "positional argument", "[FederatedLora(3)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "setting written twice", "[FederatedLora(Rounds = 1, Rounds = 2)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "missing return type", "[FederatedLora] public partial Missing S(LanguageModel @base, Dataset<Instruction> train);" },
        { "missing parameter type", "[FederatedLora] public partial LoraModel S(LanguageModel @base, Dataset<Missing> train);" },
        { "half-typed parameter list", "[FederatedLora] public partial LoraModel S(LanguageModel @base, " },
        { "partial without accessibility", "[FederatedLora] partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "generic stage", "[FederatedLora] public partial LoraModel S<T>(LanguageModel @base, Dataset<Instruction> train);" },
        { "stage with an implementation part", "[FederatedLora] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train); public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train) => null!;" },
        { "nullable return", "[FederatedLora] public partial LoraModel? S(LanguageModel @base, Dataset<Instruction> train);" },
        { "[FederatedLora] on a property accessor", "public LoraModel P { [FederatedLora] get => null!; }" },
    };

    [Theory]
    [MemberData(nameof(MalformedStages))]
    public void Malformed_stage_never_crashes_the_generator_nor_emits_code_that_fails(string what, string stage)
    {
        var source = """
            using DeclFed;
            using DeclFed.Data;
            using DeclFed.Models;

            namespace Demo;

            [Pipeline]
            public partial class P
            {
                [Step] public LanguageModel Base() => null!;
                [Step] public Dataset<Instruction> Train() => Dataset<Instruction>.Empty;
            """ + stage + "\n}\n";
        var run = GeneratorHarness.Run(source);

        Assert.True(run.Generator.Exception is null, $"{what}: the generator threw {run.Generator.Exception}");
        var generatedErrors = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && (d.Location.SourceTree?.FilePath ?? string.Empty).EndsWith(".g.cs", StringComparison.Ordinal))
            .ToList();
        Assert.True(generatedErrors.Count == 0, $"{what}: generated code does not compile:\n{string.Join("\n", generatedErrors)}");
        // The analyzer copes with whatever the attribute holds.
        Assert.DoesNotContain(GeneratorHarness.Analyze(run.Output, new FederatedLoraAnalyzer()), d => d.Id == "AD0001");
    }

    private static PipelineDescriptor StaticDescriptor(LoadedAssembly assembly, string definition) =>
        (PipelineDescriptor)assembly.Type(definition).GetProperty("StaticDescriptor")!.GetValue(null)!;

    private static IPipelineDefinition Definition(LoadedAssembly assembly) =>
        (IPipelineDefinition)Activator.CreateInstance(assembly.Type("Demo.Recorded.RecordedPipelineDefinition"), Activator.CreateInstance(assembly.Type("Demo.Recorded.Recorded")))!;

    /// <summary>The calls the test stage's runtime recorded (cleared first).</summary>
    private static RecordedCalls RecordCalls(LoadedAssembly assembly)
    {
        var calls = (IList)assembly.Type("Demo.Stages.RecordRuntime").GetProperty("Calls")!.GetValue(null)!;
        calls.Clear();
        return new RecordedCalls(calls);
    }

    /// <summary>The settings of the test stage as option texts, in declaration order.</summary>
    private static (string?, string?, string?, string?, string?, string?, string?) Values(StageSettings settings)
    {
        var values = StageSettings.Settings(settings.GetType()).Select(p => SettingText.Option(p.GetValue(settings))).ToArray();
        return (values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }

    /// <summary>A live view of the recorded call tuples.</summary>
    private sealed class RecordedCalls(IList calls)
    {
        public List<(string Step, string Kind, StageSettings Settings, bool Extra, ulong Seed)> Items => calls.Cast<System.Runtime.CompilerServices.ITuple>()
            .Select(t => ((string)t[0]!, (string)t[1]!, (StageSettings)t[2]!, (bool)t[3]!, (ulong)t[4]!)).ToList();
    }

    /// <summary>Runs every step body; options come from the descriptor's default text unless <c>overrides</c> sets them.</summary>
    private sealed class DefaultsExecutor(Dictionary<string, object> overrides) : IStepExecutor
    {
        public async ValueTask<T> RunAsync<T>(StepDescriptor step, Func<StepContext, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
            where T : IArtifact<T> => await body(new DefaultsContext(step, overrides), cancellationToken);
    }

    private sealed class DefaultsContext(StepDescriptor step, Dictionary<string, object> overrides) : StepContext
    {
        public override StepDescriptor Step => step;
        public override IServiceProvider Services => throw new NotSupportedException("The test executor has no services.");
        public override ulong Seed => 1;

        public override ulong RunSeed => 2;
        public override string WorkDirectory => Path.GetTempPath();

        public override T GetOption<T>(string name)
        {
            if (overrides.TryGetValue($"{step.Name}:{name}", out var value))
            {
                return (T)value;
            }
            var option = step.Options.Single(o => o.Name == name);
            var text = option.DefaultValue ?? throw new KeyNotFoundException($"{step.Name}:{name} has no default.");
            string[] Items() => text.Length == 0 ? [] : text.Split(',');
            object parsed = option.Kind switch
            {
                OptionKind.Int32 => int.Parse(text, CultureInfo.InvariantCulture),
                OptionKind.Double => double.Parse(text, CultureInfo.InvariantCulture),
                OptionKind.Boolean => bool.Parse(text),
                OptionKind.String or OptionKind.Enum => text,
                OptionKind.Int32Array => Items().Select(i => int.Parse(i, CultureInfo.InvariantCulture)).ToArray(),
                OptionKind.DoubleArray => Items().Select(i => double.Parse(i, CultureInfo.InvariantCulture)).ToArray(),
                OptionKind.StringArray => Items(),
                _ => throw new NotSupportedException($"{option.Kind} options do not occur in these stages."),
            };
            return (T)parsed;
        }

        public override void ReportProgress(StepProgress progress)
        {
        }
    }
}
