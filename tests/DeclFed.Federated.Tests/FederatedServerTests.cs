using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ServerOptimizers;
using DeclFed.Federated.State;

namespace DeclFed.Federated.Tests;

public sealed class UpdateScreeningTests
{
    [Fact]
    public void Robust_z_scores_use_the_median_and_mad()
    {
        var scores = UpdateScreening.RobustZScores([1.0, 1.1, 0.9, 1.0, 50.0]);
        // median 1, deviations [0, .1, .1, 0, 49], MAD 0.1 → z = d / 0.14826.
        Assert.Equal(49 / 0.14826, scores[4], 1e-6);
        Assert.Equal(0.1 / 0.14826, scores[1], 1e-9);
        Assert.All(UpdateScreening.RobustZScores([2.0, 2.0, 2.0]), z => Assert.Equal(0, z));
        // MAD 0 but one value differs: the mean absolute deviation takes over.
        Assert.True(UpdateScreening.RobustZScores([1.0, 1.0, 1.0, 1.0, 9.0])[4] > 3.5);
    }

    [Fact]
    public void Rejects_wrong_shapes_non_finite_values_outliers_duplicates_and_strangers()
    {
        var layout = TestAdapters.SmallLayout;
        var profiles = Enumerable.Range(0, 8).ToDictionary(i => i, i => new ClientProfile(i, 2, 4f));
        var nan = TestAdapters.Random(layout, 2, 4f, 1);
        nan["v_proj"].B[5] = float.NaN;
        var updates = new List<ClientUpdate>
        {
            new(0, 10, TestAdapters.Random(layout, 2, 4f, 10)),
            new(1, 10, TestAdapters.Random(layout, 2, 4f, 11)),
            new(2, 10, TestAdapters.Random(layout, 2, 4f, 12)),
            new(3, 10, TestAdapters.Random(layout, 2, 4f, 13, scale: 100)),
            new(4, 10, nan),
            new(5, 10, TestAdapters.Random(layout, 3, 6f, 15)),
            new(6, 10, TestAdapters.Random(TestAdapters.Layout(("q_proj", 12, 11), ("v_proj", 9, 10)), 2, 4f, 16)),
            new(2, 10, TestAdapters.Random(layout, 2, 4f, 17)),
            new(9, 10, TestAdapters.Random(layout, 2, 4f, 18)),
            new(7, 0, TestAdapters.Random(layout, 2, 4f, 19)),
        };
        var result = new UpdateScreening().Screen(updates, layout, profiles);
        Assert.Equal([0, 1, 2], result.Accepted.Select(u => u.ClientId));
        var byClient = result.Rejected.ToLookup(r => r.ClientId);
        Assert.Equal(RejectionKind.NormOutlier, byClient[3].Single().Kind);
        Assert.Equal(RejectionKind.NonFinite, byClient[4].Single().Kind);
        Assert.Contains("lora_B[2, 1]", byClient[4].Single().Reason);
        Assert.Equal(RejectionKind.Shape, byClient[5].Single().Kind);
        Assert.Contains("rank 3", byClient[5].Single().Reason);
        Assert.Contains("12×11", byClient[6].Single().Reason);
        Assert.Contains("more than one", byClient[2].Single().Reason);
        Assert.Contains("not sampled", byClient[9].Single().Reason);
        Assert.Contains("sample count", byClient[7].Single().Reason);
    }

    [Fact]
    public void Norms_that_differ_by_rank_are_not_outliers_but_a_poisoned_update_is()
    {
        // Six clients whose update norms span a factor of 16, as ranks 64 to 4 give (the scale multiplies A and B, so the
        // norm grows with its square), and one update about 400 times the median. On a linear scale the largest legitimate
        // norm alone would score 4.2 and be rejected.
        var layout = TestAdapters.SmallLayout;
        float[] scales = [1f, 1.2f, 1.6f, 2f, 2.8f, 4f, 40f];
        var profiles = Enumerable.Range(0, scales.Length).ToDictionary(i => i, i => new ClientProfile(i, 2, 4f));
        var updates = scales.Select((scale, i) => new ClientUpdate(i, 10, TestAdapters.Random(layout, 2, 4f, (ulong)(40 + i), scale: scale))).ToList();

        var result = new UpdateScreening().Screen(updates, layout, profiles);

        Assert.Equal([0, 1, 2, 3, 4, 5], result.Accepted.Select(u => u.ClientId));
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((6, RejectionKind.NormOutlier), (rejected.ClientId, rejected.Kind));
        Assert.Contains("log scale", rejected.Reason);
    }
}

public sealed class FederatedServerTests
{
    private static readonly AdapterLayout Layout = TestAdapters.Layout(("q_proj", 10, 8), ("v_proj", 6, 8));
    private static readonly int[] Ranks = [4, 2, 2, 1, 4, 2];

    private static ClientProfile Profile(int client) => new(client, Ranks[client], 2f * Ranks[client]);

    private static FederatedServer Create(IAggregationStrategy strategy, IServerOptimizer optimizer, ILearningRateScheduler scheduler, int perRound = 4) =>
        new(strategy, optimizer, scheduler, new ClientSampler(Ranks.Length, new ClientSamplingOptions { Count = perRound }, 77),
            new UpdateScreening(), new CommunicationLedger(), Profile, 0.01f);

    /// <summary>A deterministic stand-in for local training: the starting adapter plus a seeded change.</summary>
    private static ClientUpdate Train(FederatedServer server, ClientAssignment assignment, int round)
    {
        var profile = assignment.Profile;
        var start = assignment.InitialAdapter ?? LoraInitialization.Peft(Layout, profile.Rank, profile.Alpha, DeterministicRandom.MixKeys(5, (ulong)round, (ulong)profile.ClientId));
        var adapter = start.Clone();
        var random = DeterministicRandom.ForStream(11, (ulong)round, (ulong)profile.ClientId);
        foreach (var module in adapter)
        {
            for (var i = 0; i < module.A.Length; i++)
            {
                module.A[i] += (float)(0.05 * random.NextGaussian());
            }
            for (var i = 0; i < module.B.Length; i++)
            {
                module.B[i] += (float)(0.05 * random.NextGaussian());
            }
        }
        return new ClientUpdate(profile.ClientId, 10 + profile.ClientId, adapter);
    }

    private static void RunRound(FederatedServer server)
    {
        var plan = server.BeginRound();
        server.CompleteRound(plan.Clients.Select(c => Train(server, c, plan.Round)).ToArray());
    }

    [Fact]
    public void A_round_goes_on_without_rejected_updates_and_reweights_the_rest()
    {
        var server = Create(new FloraStrategy(Layout), new FedAvgOptimizer(), new FixedLearningRate(), perRound: 6);
        var plan = server.BeginRound();
        Assert.All(plan.Clients, c => Assert.Null(c.InitialAdapter));
        // Client 5 fails during training and sends nothing; client 1 sends an infinite value.
        var updates = plan.Clients.Where(c => c.Profile.ClientId != 5).Select(c => Train(server, c, 0)).ToList();
        updates[1].Adapter["q_proj"].A[0] = float.PositiveInfinity;
        var summary = server.CompleteRound(updates, [new ClientFailure(5, "out of memory")]);

        var accepted = updates.Where(u => u.ClientId != 1).ToArray();
        Assert.Equal(accepted.Select(u => u.ClientId), summary.Accepted);
        Assert.Equal(2, summary.Rejected.Count);
        Assert.Equal(1, server.Rejections[RejectionKind.NonFinite]);
        Assert.Equal(1, server.Rejections[RejectionKind.ClientFailure]);
        var weighted = WeightedClientUpdate.BySampleCount(accepted);
        foreach (var shape in Layout)
        {
            var exact = TestAdapters.ExactWeightedSum(weighted, shape);
            Assert.True(TestAdapters.MaxAbsDifference(server.Strategy.GlobalModuleDelta(shape.Name), exact) < 1e-5 * TestAdapters.MaxAbs(exact));
        }
        Assert.Equal(1, server.Round);
        Assert.Equal(updates.Sum(u => u.Adapter.PayloadBytes), summary.Traffic.UpBytes);
    }

    [Fact]
    public void A_round_with_nothing_accepted_leaves_the_model_unchanged()
    {
        var server = Create(new FlexLoraStrategy(Layout, 4), new FedAvgOptimizer(), new FixedLearningRate());
        server.BeginRound();
        var before = StateSerializer.ToBytes(server.Strategy);
        var summary = server.CompleteRound([]);
        Assert.True(summary.Skipped);
        Assert.Equal(before, StateSerializer.ToBytes(server.Strategy));
        Assert.Throws<InvalidOperationException>(() => server.CompleteRound([]));
    }

    public static TheoryData<string> Configurations => ["flora+fedavg+G", "flexlora+fedadam+GM", "hetlora+fedyogi+SL", "flexlora+fedavgm+fixed"];

    private static FederatedServer Configure(string name) => name switch
    {
        "flora+fedavg+G" => Create(new FloraStrategy(Layout), new FedAvgOptimizer(), new FedHyperScheduler(FedHyperVariant.Global)),
        "flexlora+fedadam+GM" => Create(new FlexLoraStrategy(Layout, 4), new AdaptiveServerOptimizer(SecondMomentRule.Adam, 0.05f), new FedHyperScheduler(FedHyperVariant.GlobalMomentum)),
        "hetlora+fedyogi+SL" => Create(new HetLoraStrategy(Layout, 4, 2f, LoraInitialization.Peft(Layout, 4, 8f, 3)), new AdaptiveServerOptimizer(SecondMomentRule.Yogi, 0.05f), new FedHyperScheduler(FedHyperVariant.ServerLocal)),
        "flexlora+fedavgm+fixed" => Create(new FlexLoraStrategy(Layout, 4), new FedAvgMomentumOptimizer(), new FixedLearningRate()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_resumed_run_ends_bit_identical_to_an_uninterrupted_one(string configuration)
    {
        var uninterrupted = Configure(configuration);
        var interrupted = Configure(configuration);
        for (var round = 0; round < 2; round++)
        {
            RunRound(uninterrupted);
            RunRound(interrupted);
        }
        var checkpoint = StateSerializer.ToBytes(interrupted);
        // The process dies in the middle of round 2: a plan was handed out, no round completed.
        interrupted.BeginRound();

        var resumed = Configure(configuration);
        StateSerializer.Restore(resumed, checkpoint);
        Assert.Equal(2, resumed.Round);
        for (var round = 2; round < 5; round++)
        {
            RunRound(uninterrupted);
            RunRound(resumed);
        }
        Assert.Equal(StateSerializer.ToBytes(uninterrupted), StateSerializer.ToBytes(resumed));
        Assert.Equal(uninterrupted.Ledger.Format(), resumed.Ledger.Format());
    }

    [Fact]
    public void Checkpoint_files_are_replaced_atomically_and_name_the_file_when_corrupt()
    {
        var server = Configure("flora+fedavg+G");
        RunRound(server);
        var directory = Directory.CreateTempSubdirectory("declfed-federated-test-");
        try
        {
            var path = Path.Combine(directory.FullName, "round.json");
            StateSerializer.SaveAtomically(server, path);
            RunRound(server);
            StateSerializer.SaveAtomically(server, path);
            Assert.Equal([path], Directory.GetFiles(directory.FullName));
            var resumed = Configure("flora+fedavg+G");
            StateSerializer.Load(resumed, path);
            Assert.Equal(StateSerializer.ToBytes(server), StateSerializer.ToBytes(resumed));

            File.WriteAllText(path, "{\"kind\": \"federated-server\", \"state\": {\"round\": 1}}");
            var error = Assert.Throws<FederatedStateException>(() => StateSerializer.Load(Configure("flora+fedavg+G"), path));
            Assert.Contains(path, error.Message);
            Assert.Contains("rejections", error.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Incompatible_clients_are_refused_at_construction()
    {
        var layout = Layout;
        var error = Assert.Throws<ArgumentException>(() => Create(new FedItStrategy(layout, 4, 8f, LoraInitialization.Peft(layout, 4, 8f, 1)), new FedAvgOptimizer(), new FixedLearningRate()));
        Assert.Contains("FedIT", error.Message);
        Assert.Contains("client 1", error.Message);
    }
}
