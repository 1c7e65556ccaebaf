using System.Collections.Concurrent;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Parameters;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.Simulation;
using DeclFed.Federated.State;
using DeclFed.Federated.ZerothOrder;

namespace DeclFed.Federated.Tests.Simulation;

public sealed class SimulationRobustnessTests
{
    [Fact]
    public void A_throwing_client_and_poisoned_updates_are_counted_and_the_round_goes_on()
    {
        var clients = SimulationFixture.Clients(8);
        var options = SimulationFixture.Options(rounds: 2, parallelism: 2) with
        {
            UpdateInterceptor = (client, round, adapter) =>
            {
                if (round == 0 && client == 1)
                {
                    throw new InvalidDataException("the client's disk failed");
                }
                if (round == 0 && client == 2)
                {
                    adapter[0].B[3] = float.NaN;
                }
                if (client == 5)
                {
                    foreach (var module in adapter)
                    {
                        for (var i = 0; i < module.B.Length; i++)
                        {
                            module.B[i] *= 1000f;
                        }
                    }
                }
                return adapter;
            },
        };
        var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor("FLoRA", clients.Count, 8), options);

        var result = simulation.Run();

        var first = result.Rounds[0];
        Assert.Equal([0, 3, 4, 6, 7], first.Accepted);
        var rejected = first.Rejected.ToDictionary(r => r.ClientId);
        Assert.Equal(RejectionKind.ClientFailure, rejected[1].Kind);
        Assert.Contains("disk failed", rejected[1].Reason);
        Assert.Equal(RejectionKind.NonFinite, rejected[2].Kind);
        Assert.Equal(RejectionKind.NormOutlier, rejected[5].Kind);
        Assert.Equal([0, 1, 2, 3, 4, 6, 7], result.Rounds[1].Accepted);
        Assert.Equal(1, result.Rejections[RejectionKind.ClientFailure]);
        Assert.Equal(1, result.Rejections[RejectionKind.NonFinite]);
        Assert.Equal(2, result.Rejections[RejectionKind.NormOutlier]);
        Assert.True(double.IsFinite(result.FinalValidationLoss!.Value));
        Assert.True(SimulationFixture.Bytes(simulation.BuildGlobalWeights()).Length > 0);
        // The failed client uploaded nothing; the others did.
        Assert.DoesNotContain(result.Ledger.Records, r => r.Round == 0 && r.ClientId == 1 && r.Direction == Communication.TransferDirection.Up);
    }

    [Fact]
    public void FedKSeed_Pro_resumes_bit_identically_with_its_probabilities_and_history()
    {
        var directory = SimulationFixture.TemporaryDirectory();
        try
        {
            (FederatedSimulation, FedKSeedServer) Create(string? checkpoint)
            {
                var clients = SimulationFixture.Clients(5);
                var server = new FedKSeedServer(new FedKSeedOptions { SeedCount = 256, LocalSteps = 20, LearningRate = 2e-3f, Epsilon = 1e-2f, ProbabilityDifferentiated = true }, 8);
                var sampler = new ClientSampler(clients.Count, new ClientSamplingOptions { Count = 3 }, 4);
                var options = SimulationFixture.Options(rounds: 3, checkpoint: checkpoint, optimizer: LocalOptimizer.MeZO);
                return (FederatedSimulation.WithKSeed(SimulationFixture.Base(), clients, server, sampler, 2, 4f, options), server);
            }
            var (reference, referenceServer) = Create(null);
            var expected = reference.Run();
            Assert.Equal("FedKSeed-Pro", reference.MethodName);
            Assert.NotEqual(1.0 / 256, referenceServer.Probabilities.Max());

            var (first, _) = Create(directory);
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => first.Run(new CancelAt(2, 1, cancel), cancel.Token));
            var (resumed, resumedServer) = Create(directory);
            var result = resumed.Run();

            Assert.Equal(2, result.ResumedFromRound);
            Assert.Equal(2, resumed.LocalTrainingsRun);
            Assert.Equal(StateSerializer.ToBytes(referenceServer), StateSerializer.ToBytes(resumedServer));
            Assert.Equal(SimulationTrainingTests.Flatten(reference.GlobalAdapter()!), SimulationTrainingTests.Flatten(resumed.GlobalAdapter()!));
            Assert.Equal(expected.Rounds.Select(r => (r.BytesDown, r.BytesUp, r.MeanTrainingLoss)), result.Rounds.Select(r => (r.BytesDown, r.BytesUp, r.MeanTrainingLoss)));
            Assert.Equal(expected.Ledger.Records, result.Ledger.Records);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class CancelAt(int round, int clientsDone, CancellationTokenSource source) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value)
        {
            if (value.Round == round && value.ClientsDone == clientsDone)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void FedHyper_SL_changes_the_client_rate_between_rounds()
    {
        byte[] Run(ILearningRateScheduler scheduler, int rounds)
        {
            var clients = SimulationFixture.Clients(4);
            var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor("FedIT", clients.Count, 4, scheduler),
                SimulationFixture.Options(rounds) with { Validation = null });
            simulation.Run();
            return SimulationFixture.Bytes(simulation.BuildGlobalWeights());
        }

        // SL leaves the server step alone, and its hypergradient needs two consecutive global updates (rounds 0 and 1):
        // two rounds equal the fixed-rate run ...
        Assert.Equal(Run(new FixedLearningRate(), 2), Run(new FedHyperScheduler(FedHyperVariant.ServerLocal), 2));
        var hyper = new FedHyperScheduler(FedHyperVariant.ServerLocal);
        var threeRounds = Run(hyper, 3);
        // ... then the clients' rate has moved, and the third round differs.
        Assert.NotEqual(SimulationFixture.LearningRate, hyper.ClientLearningRate(SimulationFixture.LearningRate));
        Assert.NotEqual(Run(new FixedLearningRate(), 3), threeRounds);
    }

    [Theory]
    [InlineData(LocalOptimizer.AdamW)]
    [InlineData(LocalOptimizer.MeZO)]
    public void FedHyper_CL_changes_the_rate_between_the_local_steps_of_a_round(LocalOptimizer optimizer)
    {
        var recording = new RecordingScheduler(new FedHyperScheduler(FedHyperVariant.ClientLocal));
        var clients = SimulationFixture.Clients(4);
        var options = SimulationFixture.Options(rounds: 2, parallelism: 2);
        var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor("FedIT", clients.Count, 2, recording),
            options with { Validation = null, Local = options.Local with { Optimizer = optimizer } });

        simulation.Run();

        Assert.Equal(4, recording.Rates.Count);
        Assert.All(recording.Rates, rates =>
        {
            var steps = rates.ToArray();
            Assert.Equal(8, steps.Length); // the rate of every local step was read
            Assert.Equal(SimulationFixture.LearningRate, steps[0]);
            Assert.Equal(SimulationFixture.LearningRate, steps[1]); // the first step only records δ
            Assert.Contains(steps, r => r != SimulationFixture.LearningRate);
        });
    }

    /// <summary>Delegates to a scheduler and records, per client schedule, the rate each local step read.</summary>
    private sealed class RecordingScheduler(ILearningRateScheduler inner) : ILearningRateScheduler
    {
        public ConcurrentBag<ConcurrentQueue<float>> Rates { get; } = [];

        public string Name => inner.Name;

        public string StateKind => inner.StateKind;

        public double ServerMultiplier => inner.ServerMultiplier;

        public ParameterSet? PreviousServerUpdate => inner.PreviousServerUpdate;

        public bool AdjustServerStep(ParameterSet pseudoGradient) => inner.AdjustServerStep(pseudoGradient);

        public float ClientLearningRate(float baseLearningRate) => inner.ClientLearningRate(baseLearningRate);

        public ILocalLearningRateSchedule CreateLocalSchedule(float baseLearningRate, int sampledClients, ParameterSet? globalDirection)
        {
            var rates = new ConcurrentQueue<float>();
            Rates.Add(rates);
            return new Recording(inner.CreateLocalSchedule(baseLearningRate, sampledClients, globalDirection), rates);
        }

        public void WriteState(System.Text.Json.Utf8JsonWriter writer) => inner.WriteState(writer);

        public void ReadState(System.Text.Json.JsonElement state) => inner.ReadState(state);

        private sealed class Recording(ILocalLearningRateSchedule schedule, ConcurrentQueue<float> rates) : ILocalLearningRateSchedule
        {
            public float Current
            {
                get
                {
                    rates.Enqueue(schedule.Current);
                    return schedule.Current;
                }
            }

            public void Observe(ParameterSet stepChange) => schedule.Observe(stepChange);
        }
    }
}

public sealed class SimulationInputTests
{
    private static SimulationOptions Options => SimulationFixture.Options(rounds: 1);

    private static FederatedServer Server(int clients = 6) => SimulationFixture.ServerFor("FLoRA", clients, 2);

    private static ArgumentException Refused(IReadOnlyList<SimulatedClient> clients, SimulationOptions? options = null, FederatedServer? server = null) =>
        Assert.ThrowsAny<ArgumentException>(() => FederatedSimulation.WithServer(SimulationFixture.Base(), clients, server ?? Server(clients.Count), options ?? Options));

    [Fact]
    public void Bad_clients_are_refused_with_a_message_naming_the_problem()
    {
        Assert.Contains("at least one client", Assert.ThrowsAny<ArgumentException>(() =>
            FederatedSimulation.WithServer(SimulationFixture.Base(), [], Server(), Options)).Message);

        var clients = SimulationFixture.Clients(6).ToArray();
        Assert.Contains("Client 3 has no data", Refused(clients.Select(c => c.ClientId == 3 ? c with { Data = [] } : c).ToArray()).Message);
        Assert.Contains("position 2 has id 4", Refused(clients.Select(c => c.ClientId == 2 ? c with { ClientId = 4 } : c).ToArray()).Message);
        var outside = clients.Select(c => c.ClientId == 4 ? c with { Data = [new TrainingSequence([1, 2, 99, 3], 1)] } : c).ToArray();
        var message = Refused(outside).Message;
        Assert.Contains("Client 4: sequence 0, position 2: token 99", message);
        Assert.Contains("[0, 64)", message);
        Assert.Contains("prompt length 5", Refused(clients.Select(c => c.ClientId == 0 ? c with { Data = [new TrainingSequence([1, 2, 3], 5)] } : c).ToArray()).Message);
        Assert.Contains("sampler is configured for 6 clients, but 5", Refused(clients.Take(5).ToArray(), server: Server(6)).Message);
    }

    [Fact]
    public void Bad_settings_are_refused_with_a_message_naming_the_setting()
    {
        var clients = SimulationFixture.Clients(6);
        Assert.Contains("'w_proj' does not exist", Refused(clients, Options with { TargetModules = ["q_proj", "w_proj"] }).Message);
        Assert.Contains("Rounds is 0", Refused(clients, Options with { Rounds = 0 }).Message);
        Assert.Contains("SequenceLength is 64", Refused(clients, Options with { Local = Options.Local with { SequenceLength = 64 } }).Message);
        Assert.Contains("learning rate", Refused(clients, Options with { Local = Options.Local with { LearningRate = 0.5f } }).Message);
        Assert.Contains("layout", Refused(clients, Options with { TargetModules = ["q_proj"] }).Message);

        // Rank 40 on a 32-wide model.
        var layout = SimulationFixture.Layout;
        var tooWide = SimulationFixture.Server(new FloraStrategy(layout), SimulationFixture.Uniform(6, 40, 80f), 2);
        var rank = Refused(clients, server: tooWide).Message;
        Assert.Contains("rank 40 of client 0 exceeds min(d_in, d_out) = 32", rank);

        var unfrozen = SimulationFixture.Base();
        unfrozen.SetRequiresGrad(true);
        Assert.Contains("frozen", Assert.ThrowsAny<ArgumentException>(() => FederatedSimulation.WithServer(unfrozen, clients, Server(), Options)).Message);

        var kseed = new FedKSeedServer(new FedKSeedOptions(), 1);
        Assert.Contains("exceeds min(d_in, d_out)", Assert.ThrowsAny<ArgumentException>(() =>
            FederatedSimulation.WithKSeed(SimulationFixture.Base(), clients, kseed, new ClientSampler(6, new ClientSamplingOptions { Count = 2 }, 1), 33, 1f, Options)).Message);
        Assert.Contains("sampler is configured for 7 clients", Assert.ThrowsAny<ArgumentException>(() =>
            FederatedSimulation.WithKSeed(SimulationFixture.Base(), clients, kseed, new ClientSampler(7, new ClientSamplingOptions { Count = 2 }, 1), 2, 1f, Options)).Message);
    }

    [Fact]
    public void The_bridge_copies_factors_both_ways_under_the_model_module_names()
    {
        var layout = SimulationFixture.Layout;
        Assert.Equal("model.layers.0.self_attn.q_proj", layout[0].Name);
        Assert.Equal(10, layout.Count);
        var update = LoraInitialization.Peft(layout, 3, 6f, 12);
        update[4].B[7] = 0.25f;
        var adapter = LoraAdapterBridge.ToLoraAdapter(update, SimulationFixture.Config, SimulationFixture.Targets);
        Assert.Equal(0.25f, adapter.Find(layout[4].Name)!.B.Value.Span[7]);
        Assert.Equal(2f, adapter.Modules[0].Scale);
        var back = LoraAdapterBridge.ToAdapterUpdate(adapter);
        Assert.Equal(SimulationTrainingTests.Flatten(update), SimulationTrainingTests.Flatten(back));
        Assert.Equal(update.ToParameterSet().Select(t => t.Name), adapter.Parameters.Select(p => p.Name));
        var other = LoraInitialization.Peft(SimulationFixture.Layout, 2, 4f, 1);
        Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => LoraAdapterBridge.CopyInto(other, adapter)).Message);
    }
}
