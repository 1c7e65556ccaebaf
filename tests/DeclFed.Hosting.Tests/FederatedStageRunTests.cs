using DeclFed.Hosting.Runs;

namespace DeclFed.Hosting.Tests;

/// <summary>
/// A pipeline with a <c>[FederatedLora]</c> stage run as a real child process: killed in the middle of a round, resumed in
/// another process, and compared with a run that was never interrupted.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FederatedStageRunTests : IDisposable
{
    private readonly HostHarness _killed = new();
    private readonly HostHarness _uninterrupted = new();

    public void Dispose()
    {
        _killed.Dispose();
        _uninterrupted.Dispose();
    }

    private static string RunsFolder(HostHarness host) => Path.Combine(host.Root, "runs", "TinyFederated");

    [Fact]
    public async Task A_federated_run_killed_mid_round_resumes_and_ends_bit_identical_to_an_uninterrupted_run()
    {
        string runDirectory;
        using (var child = ChildPipeline.Start(ChildPipeline.FederatedTestPipeline, _killed.Root, []))
        {
            runDirectory = await HostRunTests.WaitForStepAsync(RunsFolder(_killed), "Finetune", StepStatus.Running);
            // The second round is in progress once one of its client updates is saved.
            var round = Path.Combine(runDirectory, ".work", "Finetune", "round-000001");
            await WaitForAsync(() => Directory.Exists(round) && Directory.EnumerateFiles(round, "client-*.safetensors").Any());
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        var killed = _killed.Manifest(runDirectory);
        Assert.Equal(StepStatus.Running, killed.FindStep("Finetune")!.Status);
        Assert.False(Directory.Exists(Path.Combine(runDirectory, "Finetune")));

        var resumed = await ChildPipeline.RunAsync(ChildPipeline.FederatedTestPipeline, _killed.Root, ["--resume", Path.GetFileName(runDirectory)]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resumed from", resumed.Error + resumed.Output);
        // Killed mid-round: the clients that had finished are not trained again.
        Assert.Contains("client updates were already saved", resumed.Error + resumed.Output);
        Assert.Equal(StepStatus.Completed, _killed.Manifest(runDirectory).FindStep("Finetune")!.Status);
        Assert.Empty(_killed.Temporaries());

        var clean = await ChildPipeline.RunAsync(ChildPipeline.FederatedTestPipeline, _uninterrupted.Root, []);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        foreach (var file in new[] { "tuned.safetensors", "training.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(clean.RunDirectory, "Finetune", file)), File.ReadAllBytes(Path.Combine(runDirectory, "Finetune", file)));
        }
    }

    [UnixFact]
    public async Task Ctrl_C_in_the_middle_of_a_round_keeps_the_finished_clients_for_the_resumed_run()
    {
        string runDirectory;
        int exitCode;
        using (var child = ChildPipeline.Start(ChildPipeline.FederatedTestPipeline, _killed.Root, []))
        {
            runDirectory = await HostRunTests.WaitForStepAsync(RunsFolder(_killed), "Finetune", StepStatus.Running);
            var round = Path.Combine(runDirectory, ".work", "Finetune", "round-000001");
            await WaitForAsync(() => Directory.Exists(round) && Directory.EnumerateFiles(round, "client-*.safetensors").Any());
            // SIGINT is what Ctrl+C sends; the host treats SIGTERM the same way.
            using (var signal = System.Diagnostics.Process.Start("kill", ["-INT", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await child.WaitForExitAsync(timeout.Token);
            exitCode = child.ExitCode;
        }

        Assert.Equal(DeclFedExitCode.Cancelled, exitCode);
        Assert.Equal(StepStatus.Cancelled, _killed.Manifest(runDirectory).FindStep("Finetune")!.Status);
        Assert.True(File.Exists(Path.Combine(runDirectory, ".work", "Finetune", "checkpoint.json")));

        var resumed = await ChildPipeline.RunAsync(ChildPipeline.FederatedTestPipeline, _killed.Root, ["--resume", Path.GetFileName(runDirectory)]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("client updates were already saved", resumed.Error + resumed.Output);
    }

    [Fact]
    public async Task Federated_settings_that_cannot_work_stop_the_run_before_any_step()
    {
        var result = await ChildPipeline.RunAsync(ChildPipeline.FederatedTestPipeline, _killed.Root,
            ["--Finetune:ClientsPerRound=40", "--Finetune:Ranks:0=0"]);

        Assert.Equal(DeclFedExitCode.Usage, result.ExitCode);
        Assert.Contains("Finetune: ClientsPerRound = 40 is more than the 8 clients", result.Error);
        Assert.Contains("Finetune: Ranks[0] = 0: every client needs a LoRA rank of at least 1", result.Error);
        Assert.False(Directory.Exists(RunsFolder(_killed)) && Directory.EnumerateDirectories(RunsFolder(_killed)).Any());
    }

    [Fact]
    public async Task A_rank_above_the_layer_width_is_refused_when_the_stage_starts()
    {
        var result = await ChildPipeline.RunAsync(ChildPipeline.FederatedTestPipeline, _killed.Root, ["--Finetune:Ranks:0=80", "--Finetune:Ranks:1=4"]);

        Assert.Equal(DeclFedExitCode.StepFailed, result.ExitCode);
        Assert.Contains("rank 80 exceeds the width of model.layers.0.self_attn.v_proj (32 = min(d_in 64, d_out 32))", result.Error);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The federated run did not reach the expected point.");
            }
            await Task.Delay(5);
        }
    }
}
