using System.Diagnostics;
using System.Globalization;
using DeclFed.Federated;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ServerOptimizers;
using DeclFed.Federated.Simulation;
using DeclFed.Tensors.Model;

namespace DeclFed.Benchmarks;

/// <summary>
/// <c>federated-memory</c>: the client-simulation engine's memory against the number of clients. A FLoRA run (ranks
/// 16/8/4, LoRA on q and v) over the ≈5M-parameter model, 50 clients sampled per round, is measured with 1,000 clients and
/// with 100, each in a fresh child process so that the peak RSS (VmHWM) belongs to that run alone; the peer of the
/// 1,000-client run is the 100-client run (the ratio shows RSS does not grow with N), and the base model alone is the floor.
/// Usage: <c>federated-memory [--clients 1000,100] [--per-round 50] [--rounds 2] [--steps 3] [--batch 4] [--seq 64] [--shard 8] [--parallelism 0]</c>.
/// </summary>
internal static class FederatedMemoryBenchmark
{
    private const string Usage = """
        usage: federated-memory [--clients 1000,100] [--per-round 50] [--rounds 2] [--steps 3] [--batch 4] [--seq 64] [--shard 8] [--parallelism 0]
        """;

    private sealed record Settings(int[] Clients, int PerRound, int Rounds, int Steps, int Batch, int Seq, int Shard, int Parallelism);

    public static Task<int> RunAsync(string[] args)
    {
        var settings = new Settings([1000, 100], 50, 2, 3, 4, 64, 8, 0);
        int? measure = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--clients": settings = settings with { Clients = Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() }; break;
                case "--per-round": settings = settings with { PerRound = Int() }; break;
                case "--rounds": settings = settings with { Rounds = Int() }; break;
                case "--steps": settings = settings with { Steps = Int() }; break;
                case "--batch": settings = settings with { Batch = Int() }; break;
                case "--seq": settings = settings with { Seq = Int() }; break;
                case "--shard": settings = settings with { Shard = Int() }; break;
                case "--parallelism": settings = settings with { Parallelism = Int() }; break;
                case "--measure": measure = Int(); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}\n{Usage}");
                    return Task.FromResult(2);
            }
        }
        if (settings.Clients.Any(c => c < settings.PerRound) || settings.PerRound < 1 || settings.Rounds < 1 || settings.Steps < 1 || settings.Seq < 3 || settings.Shard < 1)
        {
            Console.Error.WriteLine(Usage);
            return Task.FromResult(2);
        }
        return Task.FromResult(measure is { } clients ? Measure(settings, clients) : Compare(settings, args));
    }

    // The parent: one child process per client count, then the table.
    private static int Compare(Settings settings, string[] args)
    {
        var config = LoraStepBenchmark.Configs.Single(c => c.Name == "5M").Config;
        var results = new List<Dictionary<string, double>>();
        foreach (var clients in settings.Clients)
        {
            results.Add(RunChild(args, clients));
        }
        Console.WriteLine($"# federated-memory: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, 5M config ({config.ParameterCount() / 1e6:0.0}M params), FLoRA ranks 16/8/4 on q_proj,v_proj, " +
            $"{settings.PerRound} clients per round, {settings.Rounds} rounds × {settings.Steps} local AdamW steps (batch {settings.Batch} × seq {settings.Seq}), " +
            $"shards of {settings.Shard} sequences, parallelism {(settings.Parallelism == 0 ? Environment.ProcessorCount : settings.Parallelism)}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| clients | peak RSS (VmHWM) | RSS of the process with only the base | peak − base-only | bytes down / round | bytes up / round | s / round | worker models | updates rejected |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r["clients"]:0} | {r["peak"] / 1048576:0.0} MiB | {r["base"] / 1048576:0.0} MiB | {(r["peak"] - r["base"]) / 1048576:0.0} MiB | {CommunicationLedger.FormatBytes((long)r["down"])} | {CommunicationLedger.FormatBytes((long)r["up"])} | {r["seconds"]:0.00} | {r["workers"]:0} | {r["rejected"]:0} |"));
        }
        if (results.Count >= 2)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak RSS ratio {results[0]["clients"]:0} / {results[1]["clients"]:0} clients: {results[0]["peak"] / results[1]["peak"]:0.00}"));
        }
        return 0;
    }

    private static Dictionary<string, double> RunChild(string[] args, int clients)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(FederatedMemoryBenchmark).Assembly.Location);
        }
        info.ArgumentList.Add("federated-memory");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add("--measure");
        info.ArgumentList.Add(clients.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the measuring process.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The {clients}-client run failed (exit {process.ExitCode}):\n{output}");
        return line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    // The child: builds the base, the clients and the server, runs, and prints one RESULT line.
    private static int Measure(Settings settings, int clientCount)
    {
        var config = LoraStepBenchmark.Configs.Single(c => c.Name == "5M").Config;
        var weights = new LlamaWeights(config);
        weights.Initialize(1);
        weights.SetRequiresGrad(false);
        GC.Collect();
        var baseOnly = ReadStatus("VmRSS");

        var clients = new SimulatedClient[clientCount];
        for (var c = 0; c < clientCount; c++)
        {
            var random = DeterministicRandom.ForStream(5, (ulong)c);
            var shard = new TrainingSequence[settings.Shard];
            for (var s = 0; s < shard.Length; s++)
            {
                var tokens = new int[settings.Seq];
                for (var t = 0; t < tokens.Length; t++)
                {
                    tokens[t] = random.NextInt32(config.VocabSize);
                }
                shard[s] = new TrainingSequence(tokens, settings.Seq / 4);
            }
            clients[c] = new SimulatedClient(c, shard);
        }
        string[] targets = ["q_proj", "v_proj"];
        var layout = LoraAdapterBridge.Layout(config, targets);
        var profiles = ClientRanks.FromList(clientCount, [16, 8, 4], AlphaRule.ProportionalToRank, 2f);
        var server = new FederatedServer(new FloraStrategy(layout), new FedAvgOptimizer(), new FixedLearningRate(),
            new ClientSampler(clientCount, new ClientSamplingOptions { Count = settings.PerRound }, 7), new UpdateScreening(), new CommunicationLedger(),
            c => profiles[c], 1e-3f);
        var simulation = FederatedSimulation.WithServer(weights, clients, server, new SimulationOptions
        {
            Rounds = settings.Rounds,
            TargetModules = targets,
            Local = new LocalTrainingOptions { Steps = settings.Steps, BatchSize = settings.Batch, SequenceLength = settings.Seq - 1, LearningRate = 1e-3f },
            Parallelism = settings.Parallelism,
            Seed = 11,
        });
        var result = simulation.Run();
        var peak = ReadStatus("VmHWM");
        var rounds = result.Rounds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT clients={clientCount} peak={peak} base={baseOnly} down={rounds.Average(r => (double)r.BytesDown)} up={rounds.Average(r => (double)r.BytesUp)} seconds={rounds.Average(r => r.Seconds)} workers={simulation.WorkerModelsCreated} rejected={rounds.Sum(r => r.Rejected.Count)}"));
        GC.KeepAlive(clients);
        return 0;
    }

    /// <summary>A size field of <c>/proc/self/status</c> in bytes (Linux), or the process's own figure elsewhere.</summary>
    private static long ReadStatus(string field)
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        using var process = Process.GetCurrentProcess();
        return field == "VmHWM" ? process.PeakWorkingSet64 : process.WorkingSet64;
    }
}
