using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Parsing;
using DeclFed.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DeclFed.Generators.Tests;

/// <summary>The <c>[FederatedLoRA]</c> declarative stage: descriptor, executor, standalone body, and agreement with the runtime's rules.</summary>
public sealed class FederatedLoRATests
{
    private static readonly string[] ComputedSettings = ["IsZerothOrder", "HasHeterogeneousRanks"];

    [Fact]
    public void Pipeline_definition_with_federated_stages()
    {
        SnapshotAssert.Matches(FederatedTestSources.TuningRun.Source("Demo.Federated.Tuning.Pipeline.g.cs"), nameof(FederatedLoRATests));
    }

    [Fact]
    public void Implementing_declarations_of_the_stages()
    {
        SnapshotAssert.Matches(FederatedTestSources.TuningRun.Source("Demo.Federated.Tuning.Stages.g.cs"), nameof(FederatedLoRATests));
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
                    [FederatedLoRA(Ranks = [4, 2], Aggregation = Aggregation.FlexLoRA)]
                    private partial LoraModel @event(LanguageModel @base, Dataset<Instruction> train);
                }
            }
            """;
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(FederatedTestSources.WithRuntime(source))).ShouldCompileCleanly();
        var bodies = run.Source("Outer.Inner.Stages.g.cs");

        Assert.DoesNotContain("namespace", bodies);
        Assert.Contains("partial class Outer\n{\n    partial record Inner\n    {\n", bodies);
        Assert.Contains("private partial global::DeclFed.Models.LoraModel @event(global::DeclFed.Models.LanguageModel @base, ", bodies);
        Assert.Contains("Ranks = new int[] { 4, 2 },", bodies);
        Assert.Contains("Kind: \"FederatedLoRA\"", run.Source("Outer.Inner.Pipeline.g.cs"));
    }

    [Fact]
    public void Descriptor_lists_every_setting_as_an_option_with_the_attribute_value_as_default()
    {
        using var assembly = FederatedTestSources.TuningRun.Load();
        var descriptor = StaticDescriptor(assembly);
        var finetune = descriptor.FindStep("Finetune")!;

        Assert.Equal("FederatedLoRA", finetune.Kind);
        Assert.Equal("LoraModel", finetune.OutputType);
        Assert.Equal("Fine-tunes the base model on the clients' shards.", finetune.Description);
        Assert.Equal(
            [new StepInputDescriptor("base", "Base", "LanguageModel"), new StepInputDescriptor("train", "Train", "Dataset<Instruction>"), new StepInputDescriptor("validation", "Held", "Dataset<Instruction>")],
            finetune.Inputs);
        Assert.Equal(SettingsProperties(), finetune.Options.Select(o => o.Name));
        Assert.All(finetune.Options, o => Assert.Equal(o.Name, o.Parameter));
        Assert.All(finetune.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), o.Name));

        var byName = finetune.Options.ToDictionary(o => o.Name);
        Assert.Equal((OptionKind.Int32, "int", "20"), (byName["Rounds"].Kind, byName["Rounds"].TypeName, byName["Rounds"].DefaultValue));
        Assert.Equal((OptionKind.Int32Array, "int[]", "16,8,4"), (byName["Ranks"].Kind, byName["Ranks"].TypeName, byName["Ranks"].DefaultValue));
        Assert.Equal((OptionKind.StringArray, "q_proj,k_proj,v_proj"), (byName["TargetModules"].Kind, byName["TargetModules"].DefaultValue));
        Assert.Equal((OptionKind.Double, "0.0002"), (byName["LearningRate"].Kind, byName["LearningRate"].DefaultValue));
        Assert.Equal((OptionKind.String, "chatml"), (byName["PromptTemplate"].Kind, byName["PromptTemplate"].DefaultValue));
        Assert.Equal((OptionKind.Enum, "Aggregation", "FLoRA"), (byName["Aggregation"].Kind, byName["Aggregation"].TypeName, byName["Aggregation"].DefaultValue));
        Assert.Equal(Enum.GetNames<Aggregation>(), byName["Aggregation"].AllowedValues);
        Assert.Equal(Enum.GetNames<Partition>(), byName["Partition"].AllowedValues);
        Assert.Equal(Enum.GetNames<ServerOptimizer>(), byName["ServerOptimizer"].AllowedValues);
        Assert.Equal(Enum.GetNames<FedHyper>(), byName["FedHyper"].AllowedValues);
        // Not written: the settings' own default.
        Assert.Equal(("1024", "0.9", "", "None"), (byName["Seeds"].DefaultValue, byName["ServerMomentum"].DefaultValue, byName["RankShares"].DefaultValue, byName["FedHyper"].DefaultValue));

        var baseline = descriptor.FindStep("Baseline")!;
        Assert.Equal("The zeroth-order baseline", baseline.Description);
        Assert.Equal([new StepInputDescriptor("base", "Base", "LanguageModel"), new StepInputDescriptor("data", "Train", "Dataset<Instruction>")], baseline.Inputs);
        Assert.Equal("FedKSeed", baseline.Options.Single(o => o.Name == "Aggregation").DefaultValue);
        Assert.Equal("", baseline.Options.Single(o => o.Name == "RankShares").DefaultValue);
        Assert.Contains("Finetune: LoraModel<br/>[FederatedLoRA]<br/>Rounds: int = 20<br/>", descriptor.Mermaid);
        Assert.Contains("    Held -->|validation| Finetune", descriptor.Mermaid);
    }

    [Fact]
    public async Task Executor_reads_every_setting_from_the_step_options_and_calls_the_runtime()
    {
        using var assembly = FederatedTestSources.TuningRun.Load();
        var calls = StageCalls(assembly);
        calls.Clear();
        var pipeline = Activator.CreateInstance(assembly.Type("Demo.Federated.Tuning"))!;
        var definition = (IPipelineDefinition)Activator.CreateInstance(assembly.Type("Demo.Federated.TuningPipelineDefinition"), pipeline)!;
        // Configuration overrides three settings of Finetune; everything else comes from the descriptor's defaults.
        var overrides = new Dictionary<string, object>
        {
            ["Finetune:Rounds"] = 5,
            ["Finetune:Aggregation"] = "HetLoRA",
            ["Finetune:Ranks"] = new[] { 4, 2 },
        };

        await definition.ExecuteAsync(new DefaultsExecutor(overrides), CancellationToken.None);

        Assert.Equal(["RunAsync Finetune", "RunAsync Baseline"], calls.Cast<ITuple>().Select(c => (string)c[0]!));
        var finetune = (FederatedLoraSettings)((ITuple)calls[0]!)[1]!;
        Assert.True((bool)((ITuple)calls[0]!)[2]!);
        Assert.False((bool)((ITuple)calls[1]!)[2]!);
        Assert.Equal((5, Aggregation.HetLoRA, "chatml", 2e-4), (finetune.Rounds, finetune.Aggregation, finetune.PromptTemplate, finetune.LearningRate));
        Assert.Equal([4, 2], finetune.Ranks);
        Assert.Equal(["q_proj", "k_proj", "v_proj"], finetune.TargetModules);
        AssertSettingsEqual(new FederatedLoraSettings
        {
            Rounds = 5, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.HetLoRA, Ranks = [4, 2], Partition = Partition.Dirichlet, Alpha = 0.5,
            TargetModules = ["q_proj", "k_proj", "v_proj"], LearningRate = 2e-4, LoraScaling = 2, PromptTemplate = "chatml",
        }, finetune);
        var baseline = (FederatedLoraSettings)((ITuple)calls[1]!)[1]!;
        AssertSettingsEqual(new FederatedLoraSettings { Aggregation = Aggregation.FedKSeed, Ranks = [8], RankShares = [], Seeds = 512 }, baseline);
    }

    [Fact]
    public void Standalone_body_runs_the_stage_with_the_attribute_values()
    {
        using var assembly = FederatedTestSources.TuningRun.Load();
        var calls = StageCalls(assembly);
        calls.Clear();
        var type = assembly.Type("Demo.Federated.Tuning");
        var pipeline = Activator.CreateInstance(type)!;

        type.GetMethod("Finetune")!.Invoke(pipeline, [null, Dataset<Data.Instruction>.Empty, Dataset<Data.Instruction>.Empty]);
        type.GetMethod("Baseline", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [null, Dataset<Data.Instruction>.Empty]);

        Assert.Equal(["Run", "Run"], calls.Cast<ITuple>().Select(c => (string)c[0]!));
        Assert.Equal([true, false], calls.Cast<ITuple>().Select(c => (bool)c[2]!));
        AssertSettingsEqual(new FederatedLoraSettings
        {
            Rounds = 20, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.FLoRA, Ranks = [16, 8, 4], Partition = Partition.Dirichlet, Alpha = 0.5,
            TargetModules = ["q_proj", "k_proj", "v_proj"], LearningRate = 2e-4, LoraScaling = 2, PromptTemplate = "chatml",
        }, (FederatedLoraSettings)((ITuple)calls[0]!)[1]!);
        AssertSettingsEqual(new FederatedLoraSettings { Aggregation = Aggregation.FedKSeed, Ranks = [8], RankShares = [], Seeds = 512 }, (FederatedLoraSettings)((ITuple)calls[1]!)[1]!);
    }

    [Fact]
    public void Generator_defaults_equal_the_settings_and_the_attribute_defaults()
    {
        var settings = new FederatedLoraSettings();
        var attribute = new FederatedLoRAAttribute();

        Assert.Equal(SettingsProperties(), FederatedSettingTable.All.Select(s => s.Name));
        Assert.Equal(
            SettingsProperties().Order(StringComparer.Ordinal),
            typeof(FederatedLoRAAttribute).GetProperties().Select(p => p.Name).Where(n => n is not "Description" and not "TypeId").Order(StringComparer.Ordinal));
        Assert.Equal(FederatedLoraSettings.KnownTargetModules, FederatedSettingTable.KnownTargetModules);
        foreach (var setting in FederatedSettingTable.All)
        {
            var expected = Normalize(setting.Default);
            Assert.True(expected.SequenceEqual(Normalize(typeof(FederatedLoraSettings).GetProperty(setting.Name)!.GetValue(settings))), $"{setting.Name}: the generator's default differs from FederatedLoraSettings'.");
            Assert.True(expected.SequenceEqual(Normalize(typeof(FederatedLoRAAttribute).GetProperty(setting.Name)!.GetValue(attribute))), $"{setting.Name}: the generator's default differs from FederatedLoRAAttribute's.");
            var type = typeof(FederatedLoraSettings).GetProperty(setting.Name)!.PropertyType;
            var expectedKind = type.IsEnum ? "Enum" : type == typeof(int) ? "Int32" : type == typeof(double) ? "Double" : type == typeof(string) ? "String"
                : type == typeof(IReadOnlyList<int>) ? "Int32Array" : type == typeof(IReadOnlyList<double>) ? "DoubleArray" : type == typeof(IReadOnlyList<string>) ? "StringArray" : type.Name;
            Assert.Equal(expectedKind, setting.Kind.ToString());
            if (type.IsEnum)
            {
                Assert.Equal(type.FullName, setting.EnumMetadataName);
            }
        }
    }

    [Fact]
    public void Generator_descriptions_are_the_documentation_of_the_settings()
    {
        // The runtime's own source, compiled alone, read the way the generator reads a step's documentation comment.
        var sources = new[] { "FederatedLoraSettings.cs", "FederatedLoRAAttribute.cs" }
            .Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(Testing.RepositoryPaths.Combine("src", "DeclFed", "Dsl", file)), GeneratorHarness.ParseOptions, file))
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.Linq;", GeneratorHarness.ParseOptions));
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Settings", sources, platform, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var settings = compilation.GetTypeByMetadataName("DeclFed.FederatedLoraSettings")!;

        foreach (var setting in FederatedSettingTable.All)
        {
            var property = Assert.Single(settings.GetMembers(setting.Name));
            Assert.Equal(DocumentationComments.Of(property, CancellationToken.None).Summary, setting.Description);
        }
    }

    /// <summary>
    /// Each case is written once as the attribute's arguments and once as a <c>FederatedLoraSettings</c> initializer: the settings
    /// the generator reports must be exactly the settings <c>Validate()</c> reports.
    /// </summary>
    [Fact]
    public void Generator_flags_exactly_the_settings_that_Validate_flags()
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
                    [FederatedLoRA({{cases[i]}})]
                    public partial LoraModel Stage(LanguageModel @base, Dataset<Instruction> train);
                    public static FederatedLoraSettings Settings() => new FederatedLoraSettings { {{cases[i]}} };
                }
                """);
        }
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(FederatedTestSources.WithRuntime(source.ToString())));
        Assert.Null(run.Generator.Exception);
        var tree = run.Input.SyntaxTrees.First();
        var classes = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().ToList();
        using var assembly = run.Load();

        var flaggedCases = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            var span = classes.Single(c => c.Identifier.Text == $"Case{i}").Span;
            var byGenerator = run.GeneratorDiagnostics
                .Where(d => d.Location.SourceTree == tree && span.Contains(d.Location.SourceSpan))
                .Select(d => d.Properties.TryGetValue(DiagnosticInfo.SettingProperty, out var setting) ? setting! : $"{d.Id} without a setting")
                .ToHashSet();
            var settings = (FederatedLoraSettings)assembly.CallStatic($"Demo.Agreement.Case{i}", "Settings")!;
            var byRuntime = settings.Validate().Select(p => p.Setting).ToHashSet();
            Assert.True(byRuntime.SetEquals(byGenerator),
                $"[FederatedLoRA({cases[i]})]: the generator flags {{{string.Join(", ", byGenerator.Order())}}}, Validate() flags {{{string.Join(", ", byRuntime.Order())}}}.");
            flaggedCases += byRuntime.Count > 0 ? 1 : 0;
        }
        // The list must exercise both verdicts, or the comparison proves little.
        Assert.InRange(flaggedCases, cases.Length - 12, cases.Length - 6);
    }

    [Fact]
    public void Changing_an_attribute_argument_changes_the_code_hash_and_the_default()
    {
        var compilation = GeneratorHarness.Compile(FederatedTestSources.WithRuntime(FederatedTestSources.Tuning));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.GetText().ToString().Replace("Rounds = 20,", "Rounds = 30,")));
        var after = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));

        var before = Definition(driver).Split('\n');
        var changed = before.Zip(Definition(after).Split('\n')).Where(pair => pair.First != pair.Second).ToList();
        Assert.Equal(3, changed.Count);
        Assert.Contains(changed, pair => pair.First.Contains("Name: \"Rounds\"") && pair.First.Contains("DefaultValue: \"20\"") && pair.Second.Contains("DefaultValue: \"30\""));
        Assert.Contains(changed, pair => pair.First.Contains("CodeHash:"));
        Assert.Contains(changed, pair => pair.First.Contains("Rounds: int = 20") && pair.Second.Contains("Rounds: int = 30"));

        static string Definition(GeneratorDriver driver) =>
            driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Demo.Federated.Tuning.Pipeline.g.cs").SourceText.ToString();
    }

    public static TheoryData<string, string> MalformedStages => new()
    {
        { "non-constant argument", "[FederatedLoRA(Rounds = Count())] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train); public static int Count() => 3;" },
        { "int setting given a string", "[FederatedLoRA(Rounds = \"many\")] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "list setting given a number", "[FederatedLoRA(Ranks = 5)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "list setting given doubles", "[FederatedLoRA(Ranks = new[] { 1.5 })] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "enum setting given a number", "[FederatedLoRA(Aggregation = 2)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "Ranks = null", "[FederatedLoRA(Ranks = null)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "null target module", "[FederatedLoRA(TargetModules = new string[] { null!, \"q_proj\" })] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "collection expression", "[FederatedLoRA(Ranks = [8, 0], TargetModules = [\"q_proj\", \"nope\"])] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "half-typed argument", "[FederatedLoRA(Rounds = )] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "unknown named argument", "[FederatedLoRA(Round = 3)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "positional argument", "[FederatedLoRA(3)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "setting written twice", "[FederatedLoRA(Rounds = 1, Rounds = 2)] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "missing return type", "[FederatedLoRA] public partial Missing S(LanguageModel @base, Dataset<Instruction> train);" },
        { "missing parameter type", "[FederatedLoRA] public partial LoraModel S(LanguageModel @base, Dataset<Missing> train);" },
        { "half-typed parameter list", "[FederatedLoRA] public partial LoraModel S(LanguageModel @base, " },
        { "partial without accessibility", "[FederatedLoRA] partial LoraModel S(LanguageModel @base, Dataset<Instruction> train);" },
        { "generic stage", "[FederatedLoRA] public partial LoraModel S<T>(LanguageModel @base, Dataset<Instruction> train);" },
        { "stage with an implementation part", "[FederatedLoRA] public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train); public partial LoraModel S(LanguageModel @base, Dataset<Instruction> train) => null!;" },
        { "nullable return", "[FederatedLoRA] public partial LoraModel? S(LanguageModel @base, Dataset<Instruction> train);" },
        { "[FederatedLoRA] on a property accessor", "public LoraModel P { [FederatedLoRA] get => null!; }" },
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
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(FederatedTestSources.WithRuntime(source)));

        Assert.True(run.Generator.Exception is null, $"{what}: the generator threw {run.Generator.Exception}");
        var generatedErrors = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && (d.Location.SourceTree?.FilePath ?? string.Empty).EndsWith(".g.cs", StringComparison.Ordinal))
            .ToList();
        Assert.True(generatedErrors.Count == 0, $"{what}: generated code does not compile:\n{string.Join("\n", generatedErrors)}");
    }

    private static string[] SettingsProperties() =>
        [.. typeof(FederatedLoraSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && !ComputedSettings.Contains(p.Name))
            .OrderBy(p => p.MetadataToken)
            .Select(p => p.Name)];

    private static PipelineDescriptor StaticDescriptor(LoadedAssembly assembly) =>
        (PipelineDescriptor)assembly.Type("Demo.Federated.TuningPipelineDefinition").GetProperty("StaticDescriptor")!.GetValue(null)!;

    /// <summary>The <c>Calls</c> of the stand-in runtime compiled into <paramref name="assembly"/>.</summary>
    private static IList StageCalls(LoadedAssembly assembly)
    {
        var stage = assembly.Assembly.GetType("DeclFed.Federated.FederatedLoraStage");
        Assert.True(stage is not null,
            "These tests inspect what the generated code hands the runtime through the test stand-in of FederatedLoraStage; " +
            "it is compiled in only while this project does not reference DeclFed.Federated.");
        return (IList)stage.GetProperty("Calls")!.GetValue(null)!;
    }

    private static void AssertSettingsEqual(FederatedLoraSettings expected, FederatedLoraSettings actual)
    {
        foreach (var setting in FederatedSettingTable.All)
        {
            var property = typeof(FederatedLoraSettings).GetProperty(setting.Name)!;
            Assert.True(Normalize(property.GetValue(expected)).SequenceEqual(Normalize(property.GetValue(actual))),
                $"{setting.Name}: expected {string.Join(",", Normalize(property.GetValue(expected)))}, got {string.Join(",", Normalize(property.GetValue(actual)))}.");
        }
    }

    /// <summary>A setting's value as invariant texts (one per list element), so scalars, enums and lists compare alike.</summary>
    private static string[] Normalize(object? value) => value switch
    {
        null => ["(null)"],
        string s => [s],
        IEnumerable list => [.. list.Cast<object>().Select(e => Convert.ToString(e, CultureInfo.InvariantCulture)!)],
        double d => [d.ToString("R", CultureInfo.InvariantCulture)],
        _ => [Convert.ToString(value, CultureInfo.InvariantCulture)!],
    };

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
                OptionKind.String or OptionKind.Enum => text,
                OptionKind.Int32Array => Items().Select(i => int.Parse(i, CultureInfo.InvariantCulture)).ToArray(),
                OptionKind.DoubleArray => Items().Select(i => double.Parse(i, CultureInfo.InvariantCulture)).ToArray(),
                OptionKind.StringArray => Items(),
                _ => throw new NotSupportedException($"{option.Kind} options do not occur in a federated stage."),
            };
            return (T)parsed;
        }

        public override void ReportProgress(StepProgress progress)
        {
        }
    }
}
