using DeclFed.Data;
using DeclFed.Hosting.Runs;

namespace DeclFed.Hosting.Tests;

/// <summary>
/// A stage authored outside DeclFed — <c>[WordCounts]</c> in tests/StageAuthoring, built without any change to the
/// generator — used by a pipeline run as a real child process: it runs, is reused, refuses impossible settings before any
/// step, and resumes after a kill from its own checkpoint, ending identical to a run never interrupted.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class AuthoredStageRunTests : IDisposable
{
    private readonly HostHarness _first = new();
    private readonly HostHarness _second = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private static string RunsFolder(HostHarness host) => Path.Combine(host.Root, "runs", "Vocabulary");

    [Fact]
    public async Task The_stage_runs_and_a_second_run_reuses_it()
    {
        var first = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _first.Root, []);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("2 computed, 0 reused", first.Error + first.Output);
        var words = Dataset.ReadParquet<WordCountStage.WordCount>(Path.Combine(first.RunDirectory, "Words.parquet"));
        Assert.Equal(25, words.Count);
        Assert.True(words.Zip(words.Skip(1)).All(pair => pair.First.Count >= pair.Second.Count), "most frequent first");
        Assert.All(words, w => Assert.InRange(w.Word.Length, 4, 24));

        var second = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _first.Root, []);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 computed, 2 reused", second.Error + second.Output);

        var changed = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _first.Root, ["--Words:Top=5"]);
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("1 computed, 1 reused", changed.Error + changed.Output);
        Assert.Equal(words.Take(5), Dataset.ReadParquet<WordCountStage.WordCount>(Path.Combine(changed.RunDirectory, "Words.parquet")));
    }

    [Fact]
    public async Task Settings_that_break_the_stage_rule_stop_the_run_before_any_step()
    {
        var result = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _first.Root, ["--Words:MinLength=30", "--Words:Field=prompts"]);

        Assert.Equal(DeclFedExitCode.Usage, result.ExitCode);
        Assert.Contains("Words: MinLength = 30 is more than MaxLength = 24; no word could be counted", result.Error);
        Assert.Contains("Words: Field = \"prompts\" is not allowed (did you mean 'prompt'?); use one of prompt, response, both", result.Error);
        Assert.False(Directory.Exists(RunsFolder(_first)) && Directory.EnumerateDirectories(RunsFolder(_first)).Any());
    }

    [Fact]
    public async Task A_run_killed_mid_stage_resumes_from_the_stage_checkpoint_and_ends_identical()
    {
        string[] slow = ["--Words:ChunkSize=50", "--Words:PauseMilliseconds=150"];
        string runDirectory;
        using (var child = ChildPipeline.Start(ChildPipeline.WordCountsPipeline, _first.Root, slow))
        {
            runDirectory = await HostRunTests.WaitForStepAsync(RunsFolder(_first), "Words", StepStatus.Running);
            var checkpoint = Path.Combine(runDirectory, ".work", "Words", "counts.json");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!File.Exists(checkpoint))
            {
                Assert.True(DateTime.UtcNow < deadline, "The stage wrote no checkpoint.");
                await Task.Delay(5);
            }
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        Assert.Equal(StepStatus.Running, _first.Manifest(runDirectory).FindStep("Words")!.Status);

        var resumed = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _first.Root, ["--resume", Path.GetFileName(runDirectory)]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Words: resumed after record", resumed.Error + resumed.Output);
        Assert.Equal(StepStatus.Completed, _first.Manifest(runDirectory).FindStep("Words")!.Status);
        var clean = await ChildPipeline.RunAsync(ChildPipeline.WordCountsPipeline, _second.Root, slow);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal(
            Dataset.ReadParquet<WordCountStage.WordCount>(Path.Combine(clean.RunDirectory, "Words.parquet")),
            Dataset.ReadParquet<WordCountStage.WordCount>(Path.Combine(runDirectory, "Words.parquet")));
    }
}
