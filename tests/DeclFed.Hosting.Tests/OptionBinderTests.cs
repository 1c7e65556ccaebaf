using System.Text;
using DeclFed.Graph;
using DeclFed.Hosting.Configuration;
using Microsoft.Extensions.Configuration;

namespace DeclFed.Hosting.Tests;

public sealed class OptionBinderTests
{
    private static readonly PipelineDescriptor Pipeline = new(
        "Shapes", "Tests.Shapes", "",
        [
            new StepDescriptor("Train", "Step", "LoraModel", [], [
                Option("rounds", OptionKind.Int32, "int", "20"),
                Option("tokens", OptionKind.Int64, "long", "1000"),
                Option("alpha", OptionKind.Double, "double", "0.5"),
                Option("scale", OptionKind.Single, "float", "1.5"),
                Option("shuffle", OptionKind.Boolean, "bool", "true"),
                Option("aggregation", OptionKind.Enum, "Aggregation", "FedIT", ["FedIT", "FLoRA", "FlexLoRA"]),
                Option("ranks", OptionKind.Int32Array, "int[]", "16,8,4"),
                Option("weights", OptionKind.DoubleArray, "double[]", ""),
                Option("tags", OptionKind.StringArray, "string[]?", null),
                Option("path", OptionKind.String, "string", null),
                Option("note", OptionKind.String, "string?", null),
            ], "0123", ""),
            new StepDescriptor("Report", "Step", "MarkdownDocument", [new StepInputDescriptor("train", "Train", "LoraModel")], [], "4567", ""),
        ],
        "flowchart TD");

    private static OptionDescriptor Option(string name, OptionKind kind, string type, string? defaultValue, string[]? allowed = null) =>
        new(name, name, kind, type, defaultValue, allowed ?? [], "");

    private static ResolvedOptions Bind(string? json = null, params string[] settings)
    {
        var builder = new ConfigurationBuilder();
        if (json is not null)
        {
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        }
        builder.AddInMemoryCollection(HostCommandLine.Parse(["run", "--Train:path=data.parquet", .. settings]).Settings);
        return OptionBinder.Bind(new DescriptorOnly(Pipeline), builder.Build());
    }

    private static object? Value(ResolvedOptions options, string name) => options.For("Train").Single(o => o.Option.Name == name).Value;

    private static IReadOnlyList<string> Problems(string? json = null, params string[] settings) =>
        Assert.Throws<DeclFedUsageException>(() => Bind(json, settings)).Problems;

    [Fact]
    public void Defaults_parse_into_the_types_GetOption_hands_back()
    {
        var options = Bind();

        Assert.Equal(20, Value(options, "rounds"));
        Assert.Equal(1000L, Value(options, "tokens"));
        Assert.Equal(0.5, Value(options, "alpha"));
        Assert.Equal(1.5f, Value(options, "scale"));
        Assert.Equal(true, Value(options, "shuffle"));
        Assert.Equal("FedIT", Value(options, "aggregation"));
        Assert.Equal(new[] { 16, 8, 4 }, Value(options, "ranks"));
        Assert.Equal(Array.Empty<double>(), Value(options, "weights"));
        Assert.Null(Value(options, "tags"));
        Assert.Null(Value(options, "note"));
        Assert.True(options.For("Train").Single(o => o.Option.Name == "rounds").IsDefault);
    }

    [Fact]
    public void Values_from_the_command_line_parse_invariantly_and_enums_canonicalize()
    {
        var options = Bind(null, "--train:ROUNDS= 7 ", "--Train:alpha=1e-3", "--Train:shuffle=FALSE", "--Train:aggregation=flora",
            "--Train:ranks=4, 2", "--Train:weights=0.25,0.75", "--Train:tags=a,b c", "--Train:note=", "--Train:tokens=-5");

        Assert.Equal(7, Value(options, "rounds"));
        Assert.Equal(0.001, Value(options, "alpha"));
        Assert.Equal(false, Value(options, "shuffle"));
        Assert.Equal("FLoRA", Value(options, "aggregation"));
        Assert.Equal(new[] { 4, 2 }, Value(options, "ranks"));
        Assert.Equal(new[] { 0.25, 0.75 }, Value(options, "weights"));
        Assert.Equal(new[] { "a", "b c" }, Value(options, "tags"));
        Assert.Equal("", Value(options, "note"));
        Assert.Equal(-5L, Value(options, "tokens"));
        Assert.False(options.For("Train").Single(o => o.Option.Name == "rounds").IsDefault);
    }

    [Fact]
    public void Lists_come_from_JSON_arrays_and_the_highest_source_wins_whole()
    {
        const string json = """{ "Train": { "ranks": [8, 8, 8], "tags": ["x,y", "z"] } }""";

        Assert.Equal(new[] { 8, 8, 8 }, Value(Bind(json), "ranks"));
        Assert.Equal(new[] { "x,y", "z" }, Value(Bind(json), "tags"));
        // A shorter list on the command line replaces the file's list instead of merging element by element.
        Assert.Equal(new[] { 2 }, Value(Bind(json, "--Train:ranks=2"), "ranks"));
        Assert.Equal(Array.Empty<int>(), Value(Bind("""{ "Train": { "ranks": [] } }"""), "ranks"));
    }

    [Theory]
    [InlineData("--Train:rounds=abc", "Train:rounds: 'abc' is not an integer.")]
    [InlineData("--Train:rounds=1.5", "Train:rounds: '1.5' is not an integer.")]
    [InlineData("--Train:rounds=99999999999", "Train:rounds: '99999999999' is out of range for an integer (-2147483648 to 2147483647).")]
    [InlineData("--Train:tokens=1e3", "Train:tokens: '1e3' is not an integer.")]
    [InlineData("--Train:alpha=half", "Train:alpha: 'half' is not a number.")]
    [InlineData("--Train:alpha=NaN", "Train:alpha: 'NaN' is not a finite number.")]
    [InlineData("--Train:scale=1e40", "Train:scale: '1e40' is not a finite single-precision number.")]
    [InlineData("--Train:alpha=0,5", "Train:alpha: '0,5' is not a number.")]
    [InlineData("--Train:shuffle=yes", "Train:shuffle: 'yes' is not a boolean (true or false).")]
    [InlineData("--Train:aggregation=FedAvg", "Train:aggregation: 'FedAvg' is not one of FedIT, FLoRA, FlexLoRA.")]
    [InlineData("--Train:aggregation=FLoRa2", "Train:aggregation: 'FLoRa2' is not one of FedIT, FLoRA, FlexLoRA; did you mean 'FLoRA'?")]
    [InlineData("--Train:ranks=16,x,4", "Train:ranks: element 1 'x' is not an integer.")]
    [InlineData("--Train:rank=4", "Train:rank: not an option of step Train; options of Train are rounds, tokens, alpha, scale, shuffle, aggregation, ranks, weights, tags, path, note; did you mean 'ranks'?")]
    [InlineData("--Trian:rounds=4", "Trian: not a step of Shapes; steps are Train, Report; did you mean 'Train'?")]
    [InlineData("--Evaluate:rounds=4", "Evaluate: not a step of Shapes; steps are Train, Report.")]
    [InlineData("--Report:title=x", "Report:title: not an option of step Report; Report has no options.")]
    public void Each_bad_value_gets_a_message_naming_the_key(string setting, string expected)
    {
        Assert.Equal([expected], Problems(null, setting));
    }

    [Fact]
    public void A_setting_given_twice_takes_the_last_value()
    {
        Assert.Equal(9, Value(Bind(null, "--Train:rounds=3", "--train:rounds=9"), "rounds"));
    }

    [Fact]
    public void A_missing_required_option_says_how_to_set_it()
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection([]);
        var problems = Assert.Throws<DeclFedUsageException>(() => OptionBinder.Bind(new DescriptorOnly(Pipeline), builder.Build())).Problems;

        Assert.Equal(["Train:path: required option is not set; set it with --Train:path=value, the environment variable DECLFED_Train__path or \"Train\": { \"path\": ... } in appsettings.json."], problems);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Problems("""{ "Train": { "ranks": [1, "two"] } }""", "--Train:rounds=x", "--Train:shuffle=maybe", "--Nope:a=1");

        Assert.Equal(4, problems.Count);
        Assert.Contains("Train:ranks: element 1 'two' is not an integer.", problems);
    }

    [Fact]
    public void Host_sections_are_not_mistaken_for_steps()
    {
        var options = Bind("""{ "Logging": { "LogLevel": { "Default": "Warning" } }, "DeclFed": { "Seed": 3 } }""");

        Assert.Equal(20, Value(options, "rounds"));
        Assert.Equal(["DeclFed:Sed: not a host setting; host settings are DeclFed:Seed, DeclFed:Runs, DeclFed:Resume, DeclFed:From, DeclFed:Pipeline; did you mean 'Seed'?"],
            Problems("""{ "DeclFed": { "Sed": 3 } }"""));
    }

    /// <summary>A pipeline definition with a [FederatedLora] stage, as the generator writes it (the settings checks are the stage's own).</summary>
    private static readonly IPipelineDefinition Federated = new FederatedTestPipeline.TinyFederatedPipelineDefinition(new FederatedTestPipeline.TinyFederated());

    private static IReadOnlyList<string> FederatedProblems(params string[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(HostCommandLine.Parse(["run", .. settings]).Settings).Build();
        return Assert.Throws<DeclFedUsageException>(() => OptionBinder.Bind(Federated, configuration)).Problems;
    }

    [Fact]
    public void A_federated_stage_whose_overrides_cannot_work_fails_before_anything_runs()
    {
        var problems = FederatedProblems("--Finetune:ClientsPerRound=99", "--Finetune:Aggregation=FedIT", "--Finetune:TargetModules:0=q_prj");

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Finetune: ClientsPerRound = 99 is more than the 8 clients", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Finetune: FedIT averages the clients' LoRA factors and needs one rank for every client, but Ranks gives 8, 4", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Finetune: 'q_prj' in TargetModules is not a projection of the model (did you mean 'q_proj'?)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_federated_stage_with_workable_overrides_binds()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(HostCommandLine.Parse(["run", "--Finetune:ClientsPerRound=8", "--Finetune:Ranks:0=4"]).Settings).Build();

        var options = OptionBinder.Bind(Federated, configuration);

        Assert.Equal(8, options.For("Finetune").Single(o => o.Option.Name == "ClientsPerRound").Value);
        Assert.Equal(new[] { 4 }, options.For("Finetune").Single(o => o.Option.Name == "Ranks").Value);
    }

    /// <summary>A descriptor alone: ordinary steps have no settings to check.</summary>
    private sealed class DescriptorOnly(PipelineDescriptor descriptor) : IPipelineDefinition
    {
        public PipelineDescriptor Descriptor => descriptor;

        public Task ExecuteAsync(IStepExecutor executor, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Option binding never runs the steps.");
    }
}
