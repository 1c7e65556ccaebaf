using DeclFed.Data;
using DeclFed.Hosting.Runs;

namespace DeclFed.Hosting.Tests;

/// <summary>The example pipelines in pipelines/ run end to end as programs, as the README says.</summary>
[Collection(HostCollection.Name)]
public sealed class ExamplePipelineTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "declfed-example-tests", Guid.NewGuid().ToString("N"));

    public ExamplePipelineTests()
    {
        Directory.CreateDirectory(_root);
        DataLayer.Register();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<HostResult> RunAsync(string project, params string[] args) => ChildPipeline.RunAsync(ChildPipeline.Example(project), _root, args);

    [Fact]
    public async Task Quickstart_splits_without_overlap_and_a_rerun_is_all_cache_hits()
    {
        // A small corpus and a few pretraining steps keep the run fast; the defaults are for the README's run.
        string[] options = ["--Raw:count=400", "--Corpus:characters=20000", "--Base:vocabularySize=300", "--Base:hiddenSize=32",
            "--Base:layers=1", "--Base:heads=2", "--Base:sequenceLength=32", "--Base:steps=3",
            "--Finetune:Rounds=2", "--Finetune:Clients=4", "--Finetune:ClientsPerRound=2", "--Finetune:LocalSteps=2", "--Evaluate:maxNewTokens=4"];
        var first = await RunAsync("Quickstart", options);
        Assert.True(first.ExitCode == 0, first.ToString());
        var manifest = RunDirectory.ReadManifest(Path.Combine(first.RunDirectory, RunDirectory.ManifestFileName));
        Assert.Equal(["Raw", "Clean", "Test", "Validation", "Train", "Corpus", "Base", "Finetune", "Evaluate", "Summary"], manifest.Steps.Select(s => s.Name));
        Assert.Equal("parquet", manifest.FindStep("Train")!.Format);

        async Task<Dataset<Instruction>> Split(string name) =>
            await Dataset<Instruction>.Format.ReadAsync(Path.Combine(first.RunDirectory, name + ".parquet"), CancellationToken.None);
        var (clean, train, validation, test) = (await Split("Clean"), await Split("Train"), await Split("Validation"), await Split("Test"));
        var ids = train.Concat(validation).Concat(test).Select(r => r.Id).ToList();
        Assert.Equal(clean.Count, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.InRange(test.Count, 30, 50);
        var summary = File.ReadAllText(Path.Combine(first.RunDirectory, "Summary.md"));
        Assert.Contains("| **all** |", summary);
        Assert.Contains("Pretrained for 3 steps", summary);
        Assert.True(File.Exists(Path.Combine(first.RunDirectory, "Base", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(first.RunDirectory, "Finetune", "tuned.safetensors")));
        Assert.Contains("## Quickstart evaluation", summary);
        Assert.Contains("FLoRA after 2 rounds over 4 clients (ranks 4, 8, 16)", summary);
        Assert.Contains("### Finetune: federated LoRA with FLoRA", summary);

        var second = await RunAsync("Quickstart", options);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("completed: 0 computed, 10 reused", second.Error);
    }

    [Fact]
    public async Task The_library_consumer_runs_the_library_steps()
    {
        var result = await RunAsync("LibraryConsumer", "--Raw:count=200", "--Report:title=Library");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = File.ReadAllText(Path.Combine(result.RunDirectory, "Report.md"));
        Assert.StartsWith("# Library\n", report);
        Assert.Contains("| * | 200 |", report);
    }

    [Fact]
    public async Task The_federated_comparison_runs_every_method_and_writes_its_table()
    {
        // One round of one local step per method on a few hundred records: the experiment's wiring, not its numbers.
        string[] stages = ["CentralizedRank16", "CentralizedRank64", "FedItHomogeneous", "FedHyperHomogeneous", "FloraHomogeneous",
            "FlexLoraHomogeneous", "HetLoraHomogeneous", "FedKSeedHomogeneous", "FloraHeterogeneous", "FlexLoraHeterogeneous",
            "HetLoraHeterogeneous", "FedHyperHeterogeneous"];
        string[] args = ["--Train:count=300", "--Validation:count=300", "--Comparison:maxNewTokens=2",
            .. stages.SelectMany(stage => new[] { $"--{stage}:Rounds=1", $"--{stage}:LocalSteps=1" })];

        var result = await RunAsync("FederatedComparison", args);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = File.ReadAllText(Path.Combine(result.RunDirectory, "Comparison.md"));
        foreach (var method in new[] { "centralized LoRA", "FedIT", "FedAvg + FedHyper (G)", "FLoRA", "FlexLoRA", "HetLoRA (zero padding)",
            "FedKSeed-Pro (zeroth order)", "FLoRA + FedHyper (G)" })
        {
            Assert.Contains($"| {method} |", table);
        }
        Assert.Equal(1 + 1 + stages.Length, table.Split('\n').Count(line => line.StartsWith("| ", StringComparison.Ordinal))); // header, base, one per stage
    }
}
