using System.Collections.Concurrent;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Simulation;
using DeclFed.Federated.State;
using DeclFed.Tensors.Model;

namespace DeclFed.Federated.Tests.Simulation;

public sealed class SimulationExactnessTests
{
    [Fact]
    public void FLoRA_global_weights_are_the_base_plus_the_weighted_sum_of_the_returned_products()
    {
        var clients = SimulationFixture.Clients(6);
        var returned = new ConcurrentDictionary<int, AdapterUpdate>();
        var options = SimulationFixture.Options(rounds: 1, parallelism: 2) with
        {
            UpdateInterceptor = (client, _, adapter) => returned[client] = adapter,
        };
        var baseWeights = SimulationFixture.Base();
        var server = SimulationFixture.ServerFor("FLoRA", clients.Count, 4);
        var simulation = FederatedSimulation.WithServer(baseWeights, clients, server, options);

        var report = simulation.Run().Rounds.Single();

        Assert.Equal(report.Sampled, report.Accepted);
        Assert.Equal(report.Sampled.Order(), returned.Keys.Order());
        Assert.Contains(returned.Values, a => a.UniformRank != returned.Values.First().UniformRank); // heterogeneous ranks
        var global = simulation.BuildGlobalWeights();
        var total = (double)report.Sampled.Sum(c => clients[c].Data.Count);
        foreach (var parameter in baseWeights.Parameters)
        {
            var actual = global[parameter.Name].Value.Span;
            var moduleName = parameter.Name[..^".weight".Length];
            if (!returned.Values.First().Contains(moduleName))
            {
                Assert.True(actual.SequenceEqual(parameter.Value.Span), $"{parameter.Name} is not a target and must stay the base weight");
                continue;
            }
            // W0 + Σ p_k s_k B_k A_k in float64 from the factors the clients returned.
            var expected = parameter.Value.Span.ToArray().Select(v => (double)v).ToArray();
            foreach (var (client, adapter) in returned)
            {
                var module = adapter[moduleName];
                var weight = clients[client].Data.Count / total * module.Scaling;
                for (var row = 0; row < module.OutputFeatures; row++)
                {
                    for (var col = 0; col < module.InputFeatures; col++)
                    {
                        double sum = 0;
                        for (var k = 0; k < module.Rank; k++)
                        {
                            sum += (double)module.B[row * module.Rank + k] * module.A[k * module.InputFeatures + col];
                        }
                        expected[row * module.InputFeatures + col] += weight * sum;
                    }
                }
            }
            var change = 0.0;
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 4e-7 * Math.Max(1, Math.Abs(expected[i])) + 1e-8,
                    $"{parameter.Name}[{i}]: {actual[i]} vs {expected[i]}");
                change = Math.Max(change, Math.Abs(expected[i] - parameter.Value.Span[i]));
            }
            Assert.True(change > 1e-4, $"{parameter.Name} did not move");
        }
        Assert.Null(simulation.GlobalAdapter());
        // The base the caller passed in is never written.
        Assert.Equal(SimulationFixture.Bytes(SimulationFixture.Base()), SimulationFixture.Bytes(baseWeights));
    }

    [Theory]
    [InlineData("FLoRA", LocalOptimizer.AdamW)]
    [InlineData("HetLoRA", LocalOptimizer.AdamW)]
    [InlineData("FedIT", LocalOptimizer.MeZO)]
    public void One_and_two_parallel_clients_give_bit_identical_global_weights(string method, LocalOptimizer optimizer)
    {
        byte[] Run(int parallelism)
        {
            var clients = SimulationFixture.Clients(6);
            var options = SimulationFixture.Options(rounds: 2, parallelism, optimizer: optimizer, steps: optimizer == LocalOptimizer.MeZO ? 12 : 6);
            var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor(method, clients.Count, 4), options);
            simulation.Run();
            Assert.InRange(simulation.WorkerModelsCreated, 1, parallelism);
            return SimulationFixture.Bytes(simulation.BuildGlobalWeights());
        }

        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Worker_models_never_outnumber_the_parallelism_and_client_adapters_do_not_outlive_their_round()
    {
        var clients = SimulationFixture.Clients(12, perClient: 3);
        var produced = new ConcurrentBag<WeakReference>();
        var options = SimulationFixture.Options(rounds: 3, parallelism: 2, steps: 2) with
        {
            Validation = null,
            UpdateInterceptor = (_, _, adapter) =>
            {
                produced.Add(new WeakReference(adapter));
                return adapter;
            },
        };
        var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor("FLoRA", clients.Count, 5), options);

        RunAndForget(simulation);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.InRange(simulation.WorkerModelsCreated, 1, 2); // never one per client (15 trainings over 12 clients)
        Assert.Equal(15, simulation.LocalTrainingsRun);
        Assert.Equal(15, produced.Count);
        Assert.All(produced, reference => Assert.False(reference.IsAlive, "a client's adapter is still referenced after its round"));
    }

    // In its own frame so that no local of the test keeps a round's objects reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RunAndForget(FederatedSimulation simulation) => simulation.Run();
}

public sealed class SimulationCheckpointTests : IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string NewDirectory()
    {
        var directory = SimulationFixture.TemporaryDirectory();
        _directories.Add(directory);
        return directory;
    }

    private sealed class SynchronousProgress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }

    private static (FederatedSimulation Simulation, FederatedServer Server) Create(string method, string? directory, ulong seed = 2024, int parallelism = 1)
    {
        var clients = SimulationFixture.Clients(6);
        var server = SimulationFixture.ServerFor(method, clients.Count, 4, method == "FedIT" ? new Scheduling.FedHyperScheduler(Scheduling.FedHyperVariant.Full) : null);
        var options = SimulationFixture.Options(rounds: 3, parallelism, directory) with { Seed = seed, EvaluateEvery = 2 };
        return (FederatedSimulation.WithServer(SimulationFixture.Base(), clients, server, options), server);
    }

    private static object[] Numbers(RoundReport r) =>
        [r.Round, string.Join(",", r.Sampled), string.Join(",", r.Accepted), r.Rejected.Count, r.MeanTrainingLoss, r.ValidationLoss ?? double.NaN, r.BytesDown, r.BytesUp, r.ServerMultiplier];

    [Theory]
    [InlineData("FLoRA", 1, 1)]
    [InlineData("FedIT", 2, 1)]
    [InlineData("FlexLoRA", 1, 1)]
    [InlineData("HetLoRA", 2, 0)]
    public void A_run_cancelled_mid_round_and_resumed_by_a_new_simulation_ends_bit_identical(string method, int parallelism, int cancelledRound)
    {
        var (reference, referenceServer) = Create(method, NewDirectory(), parallelism: parallelism);
        var expected = reference.Run();

        var directory = NewDirectory();
        var (first, _) = Create(method, directory, parallelism: parallelism);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Round == cancelledRound && p.ClientsDone == 2)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => first.Run(progress, cancel.Token));
        Assert.Equal(cancelledRound, first.CompletedRounds);
        var open = Path.Combine(directory, $"round-00000{cancelledRound}");
        var saved = Directory.GetFiles(open, "*.safetensors").Length;
        Assert.InRange(saved, 2, 3);

        var (resumed, resumedServer) = Create(method, directory, parallelism: parallelism);
        Assert.Equal(cancelledRound, resumed.CompletedRounds);
        var result = resumed.Run();

        Assert.Equal(cancelledRound, result.ResumedFromRound);
        Assert.Equal(4 - saved + 4 * (2 - cancelledRound), resumed.LocalTrainingsRun); // only the open round's unfinished clients are retrained
        Assert.Equal(SimulationFixture.Bytes(reference.BuildGlobalWeights()), SimulationFixture.Bytes(resumed.BuildGlobalWeights()));
        Assert.Equal(StateSerializer.ToBytes(referenceServer), StateSerializer.ToBytes(resumedServer));
        Assert.Equal(expected.Rounds.Select(Numbers), result.Rounds.Select(Numbers));
        Assert.Equal(expected.FinalValidationLoss, result.FinalValidationLoss);
        Assert.Empty(Directory.GetDirectories(directory, "round-*"));

        // Running a finished checkpoint again trains nothing and reports the same rounds.
        var (again, _) = Create(method, directory, parallelism: parallelism);
        Assert.Equal(expected.Rounds.Select(Numbers), again.Run().Rounds.Select(Numbers));
        Assert.Equal(0, again.LocalTrainingsRun);
    }

    [Fact]
    public void A_checkpoint_of_another_run_or_a_corrupt_one_is_refused_with_the_file_and_the_difference()
    {
        var directory = NewDirectory();
        Create("FLoRA", directory).Simulation.Run();
        var file = Path.Combine(directory, "checkpoint.json");

        var seed = Assert.Throws<FederatedStateException>(() => Create("FLoRA", directory, seed: 7).Simulation.Run());
        Assert.Contains(file, seed.Message);
        Assert.Contains("seed", seed.Message);

        var method = Assert.Throws<FederatedStateException>(() => Create("FlexLoRA", directory).Simulation.Run());
        Assert.Contains("method", method.Message);
        Assert.Contains("FLoRA", method.Message);

        var clients = SimulationFixture.Clients(6).Select(c => c with { Data = c.Data.Take(c.Data.Count - 1).ToArray() }).ToArray();
        var server = SimulationFixture.ServerFor("FLoRA", clients.Length, 4);
        var differentData = Assert.Throws<FederatedStateException>(() =>
            FederatedSimulation.WithServer(SimulationFixture.Base(), clients, server, SimulationFixture.Options(3, checkpoint: directory) with { EvaluateEvery = 2 }).Run());
        Assert.Contains("client data", differentData.Message);

        File.WriteAllText(file, "{\"format\": \"declfed-simulation/1\", \"fingerprint\": ");
        var corrupt = Assert.Throws<FederatedStateException>(() => Create("FLoRA", directory).Simulation.Run());
        Assert.Contains(file, corrupt.Message);
    }

    [Fact]
    public void What_a_killed_process_leaves_behind_is_cleaned_up_or_ignored_and_the_run_ends_identical()
    {
        var (reference, _) = Create("FLoRA", null);
        var expected = reference.Run();

        var directory = NewDirectory();
        using (var cancel = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(p =>
            {
                if (p.Round == 2 && p.ClientsDone == 1)
                {
                    cancel.Cancel();
                }
            });
            Assert.ThrowsAny<OperationCanceledException>(() => Create("FLoRA", directory).Simulation.Run(progress, cancel.Token));
        }
        // A kill between writing round 1's checkpoint and deleting its client files, and one in the middle of an atomic write.
        var stale = Directory.CreateDirectory(Path.Combine(directory, "round-000001")).FullName;
        File.WriteAllText(Path.Combine(stale, "client-000003.safetensors"), "left over");
        File.WriteAllText(Path.Combine(directory, "round-000002", ".client-000005.safetensors.0123.tmp"), "half written");

        var (resumed, _) = Create("FLoRA", directory);
        var result = resumed.Run();

        Assert.Equal(expected.Rounds.Select(Numbers), result.Rounds.Select(Numbers));
        Assert.Equal(SimulationFixture.Bytes(reference.BuildGlobalWeights()), SimulationFixture.Bytes(resumed.BuildGlobalWeights()));
        Assert.Empty(Directory.GetDirectories(directory, "round-*"));

        // Updates of a round the checkpoint has not reached cannot belong to this run.
        Directory.CreateDirectory(Path.Combine(directory, "round-000009"));
        var future = Assert.Throws<FederatedStateException>(() => Create("FLoRA", directory).Simulation.Run());
        Assert.Contains("round-000009", future.Message);
    }

    [Fact]
    public void Saved_updates_without_a_checkpoint_are_not_silently_overwritten()
    {
        var directory = NewDirectory();
        Directory.CreateDirectory(Path.Combine(directory, "round-000000"));
        var error = Assert.Throws<FederatedStateException>(() => Create("FLoRA", directory).Simulation.Run());
        Assert.Contains("checkpoint.json", error.Message);
    }
}
