using DeclFed.Federated.Sampling;
using DeclFed.Federated.Simulation;
using DeclFed.Federated.ZerothOrder;

namespace DeclFed.Federated.Tests.Simulation;

public sealed class SimulationTrainingTests
{
    [Theory]
    [InlineData("FedIT")]
    [InlineData("FLoRA")]
    [InlineData("FlexLoRA")]
    [InlineData("HetLoRA")]
    public void First_order_methods_lower_the_validation_loss(string method)
    {
        var clients = SimulationFixture.Clients(6);
        var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor(method, clients.Count, 3),
            SimulationFixture.Options(rounds: 4, parallelism: 2));
        var before = simulation.EvaluateGlobal(SimulationFixture.Validation());

        var result = simulation.Run();

        Assert.Equal(4, result.Rounds.Count);
        Assert.All(result.Rounds, r => Assert.True(r.Accepted.Count == 3, string.Join("; ", r.Rejected.Select(x => $"{x.ClientId} {x.Kind} {x.Reason}"))));
        Assert.Equal(result.Rounds[^1].ValidationLoss, result.FinalValidationLoss);
        var after = result.FinalValidationLoss!.Value;
        // A counting language the random base knows nothing about: four rounds of six local steps cut the loss clearly.
        Assert.True(after < before - 0.3, $"{method}: validation loss {before:F4} → {after:F4}");
        Assert.Equal(after, simulation.EvaluateGlobal(SimulationFixture.Validation()));
        Assert.Equal(method is "FedIT" or "HetLoRA", simulation.GlobalAdapter() is not null);
    }

    [Fact]
    public void FedMeZO_lowers_the_validation_loss_with_forward_passes_only()
    {
        var clients = SimulationFixture.Clients(4);
        var options = SimulationFixture.Options(rounds: 3, parallelism: 2, optimizer: LocalOptimizer.MeZO, steps: 40);
        var simulation = FederatedSimulation.WithServer(SimulationFixture.Base(), clients, SimulationFixture.ServerFor("FedIT", clients.Count, 4), options);
        Assert.Equal("FedIT+MeZO", simulation.MethodName);
        var before = simulation.EvaluateGlobal(SimulationFixture.Validation());

        var after = simulation.Run().FinalValidationLoss!.Value;

        // Zeroth-order steps are noisy and slow: a smaller decrease than the first-order methods.
        Assert.True(after < before - 0.05, $"FedMeZO: validation loss {before:F5} → {after:F5}");
        Assert.NotNull(simulation.GlobalAdapter());
    }

    [Fact]
    public void FedKSeed_uploads_a_few_kilobytes_and_every_replaying_client_holds_the_server_weights()
    {
        var clients = SimulationFixture.Clients(4);
        var server = new FedKSeedServer(new FedKSeedOptions { SeedCount = 1024, LocalSteps = 60, LearningRate = 2e-3f, Epsilon = 1e-2f }, 31);
        var sampler = new ClientSampler(clients.Count, new ClientSamplingOptions { Count = 2 }, 5);
        var options = SimulationFixture.Options(rounds: 3, parallelism: 2, optimizer: LocalOptimizer.MeZO);
        var simulation = FederatedSimulation.WithKSeed(SimulationFixture.Base(), clients, server, sampler, rank: 4, alpha: 8f, options);
        var before = simulation.EvaluateGlobal(SimulationFixture.Validation());

        var result = simulation.Run();

        var after = result.FinalValidationLoss!.Value;
        Assert.True(after < before - 0.02, $"FedKSeed: validation loss {before:F5} → {after:F5}");
        Assert.All(result.Ledger.Records.Where(r => r.Direction == Communication.TransferDirection.Up), r => Assert.InRange(r.Bytes, 1, 4096));
        Assert.All(result.Rounds, r => Assert.InRange(r.BytesUp, 1, 2 * 4096));

        // A client that was never sampled regenerates the initialisation from the seed and replays the whole history.
        var global = simulation.GlobalAdapter()!;
        var fresh = FederatedSimulation.WithKSeed(SimulationFixture.Base(), clients,
            new FedKSeedServer(server.Options, 31), new ClientSampler(clients.Count, new ClientSamplingOptions { Count = 2 }, 5), 4, 8f, options).GlobalAdapter()!;
        Assert.NotEqual(Flatten(global), Flatten(fresh));
        server.Replay(fresh.TrainableParameters(), 0, server.Round);
        Assert.Equal(Flatten(global), Flatten(fresh));
    }

    internal static float[] Flatten(Federated.Adapters.AdapterUpdate adapter) => adapter.SelectMany(m => m.A.Concat(m.B)).ToArray();
}
