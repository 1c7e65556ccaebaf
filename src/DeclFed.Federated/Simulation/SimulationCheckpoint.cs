using System.Buffers;
using System.Globalization;
using System.Text.Json;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.State;
using DeclFed.Federated.ZerothOrder;
using DeclFed.Tensors;
using DeclFed.Tensors.Formats;

namespace DeclFed.Federated.Simulation;

/// <summary>A checkpoint as read back: completed rounds, their reports and the method's state.</summary>
internal sealed record LoadedCheckpoint(int CompletedRounds, IReadOnlyList<RoundReport> Reports, byte[] MethodState);

/// <summary>
/// The checkpoint directory of a simulation. <c>checkpoint.json</c> holds, after every completed round, the run's
/// fingerprint, the round reports and the method's whole state (server, strategy, optimizer, scheduler, sampler, ledger, or
/// FedKSeed's seeds and history); <c>round-NNNNNN/client-NNNNNN.safetensors</c> holds each client update of the open round
/// as soon as the client finishes. Every file is written atomically (temporary file, flush, rename).
/// </summary>
internal sealed class SimulationCheckpoint
{
    public const string FileName = "checkpoint.json";
    private const string Format = "declfed-simulation/1";
    private const string ClientFormat = "declfed-client-update/1";
    private const string ScalarTensor = "fedkseed.scalar_gradients";

    private readonly IReadOnlyList<KeyValuePair<string, string>> _fingerprint;
    private readonly AdapterLayout _layout;

    public SimulationCheckpoint(string directory, IReadOnlyList<KeyValuePair<string, string>> fingerprint, AdapterLayout layout)
    {
        Directory = Path.GetFullPath(directory);
        _fingerprint = fingerprint;
        _layout = layout;
    }

    public string Directory { get; }

    public string FilePath => Path.Combine(Directory, FileName);

    /// <summary>The checkpoint, or null when the directory holds none; a corrupt or foreign one is an error naming the file.</summary>
    public LoadedCheckpoint? Load()
    {
        if (!File.Exists(FilePath))
        {
            var stray = System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetDirectories(Directory, "round-*") : [];
            if (stray.Length > 0)
            {
                throw new FederatedStateException($"{Directory}: holds client updates ({Path.GetFileName(stray[0])}) but no {FileName}; refusing to start over on top of them.");
            }
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
            var root = document.RootElement;
            var format = StateSerializer.RequireString(root, "format", FileName);
            if (format != Format)
            {
                throw new FederatedStateException($"the format is '{format}', expected '{Format}'");
            }
            var stored = StateSerializer.Require(root, "fingerprint", FileName);
            foreach (var (key, value) in _fingerprint)
            {
                var theirs = StateSerializer.RequireString(stored, key, "fingerprint");
                if (theirs != value)
                {
                    throw new FederatedStateException($"the checkpoint was written for a different run: {key} is '{theirs}' there but '{value}' here");
                }
            }
            var completed = (int)StateSerializer.RequireInt64(root, "completedRounds", FileName);
            var reports = StateSerializer.RequireArray(root, "reports", FileName).EnumerateArray().Select(ReadReport).ToArray();
            if (reports.Length != completed || reports.Select((r, i) => r.Round != i).Any(b => b))
            {
                throw new FederatedStateException($"it records {completed} completed rounds but holds {reports.Length} round reports");
            }
            var state = Encoding(StateSerializer.Require(root, "method", FileName));
            return new LoadedCheckpoint(completed, reports, state);
        }
        catch (Exception e) when (e is JsonException or FederatedStateException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new FederatedStateException($"{FilePath}: {e.Message}", e);
        }
    }

    /// <summary>Writes the end-of-round checkpoint, then removes the finished round's client updates.</summary>
    public void Save(int completedRounds, IReadOnlyList<RoundReport> reports, byte[] methodState)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteStartObject("fingerprint");
            foreach (var (key, value) in _fingerprint)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
            writer.WriteNumber("completedRounds", completedRounds);
            writer.WriteStartArray("reports");
            foreach (var report in reports)
            {
                WriteReport(writer, report);
            }
            writer.WriteEndArray();
            writer.WritePropertyName("method");
            writer.WriteRawValue(methodState, skipInputValidation: true);
            writer.WriteEndObject();
        }
        var bytes = buffer.WrittenSpan.ToArray();
        AtomicFile.Write(FilePath, stream => stream.Write(bytes));
        RemoveRoundsBefore(completedRounds);
    }

    /// <summary>Deletes the client updates of rounds before <paramref name="round"/> (left by a stop between checkpoint and cleanup).</summary>
    public void RemoveRoundsBefore(int round)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }
        foreach (var path in System.IO.Directory.GetDirectories(Directory, "round-*"))
        {
            if (!int.TryParse(Path.GetFileName(path)["round-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var r))
            {
                throw new FederatedStateException($"{path}: not a round directory of this checkpoint.");
            }
            if (r < round)
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
            else if (r > round)
            {
                throw new FederatedStateException($"{path}: client updates of round {r}, but the checkpoint ends before round {round}.");
            }
        }
    }

    /// <summary>Checks that the open round's saved updates all belong to clients sampled in it.</summary>
    public void CheckOpenRound(int round, IReadOnlyCollection<int> sampled)
    {
        var directory = RoundDirectory(round);
        if (!System.IO.Directory.Exists(directory))
        {
            return;
        }
        var expected = sampled.ToHashSet();
        foreach (var file in System.IO.Directory.GetFiles(directory, "client-*.safetensors"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!int.TryParse(name["client-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var client) || !expected.Contains(client))
            {
                throw new FederatedStateException($"{file}: an update of a client that round {round} did not sample.");
            }
        }
    }

    public void SaveClient(int round, ClientResult result)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = ClientFormat,
            ["round"] = round.ToString(CultureInfo.InvariantCulture),
            ["client"] = result.ClientId.ToString(CultureInfo.InvariantCulture),
            ["samples"] = result.SampleCount.ToString(CultureInfo.InvariantCulture),
            ["mean_loss_bits"] = BitConverter.DoubleToInt64Bits(result.MeanLoss).ToString("x16", CultureInfo.InvariantCulture),
        };
        if (result.Adapter is { } adapter)
        {
            metadata["alpha_bits"] = BitConverter.SingleToInt32Bits(adapter[0].Alpha).ToString("x8", CultureInfo.InvariantCulture);
            foreach (var module in adapter)
            {
                tensors.Add(new(module.Name + AdapterUpdate.LoraASuffix, Tensor.FromArray(module.A, module.Rank, module.InputFeatures)));
                tensors.Add(new(module.Name + AdapterUpdate.LoraBSuffix, Tensor.FromArray(module.B, module.OutputFeatures, module.Rank)));
            }
        }
        else
        {
            var upload = result.Upload!;
            metadata["steps_run"] = upload.StepsRun.ToString(CultureInfo.InvariantCulture);
            metadata["steps_skipped"] = upload.StepsSkipped.ToString(CultureInfo.InvariantCulture);
            tensors.Add(new(ScalarTensor, Tensor.FromArray(upload.Accumulated, upload.Accumulated.Length)));
        }
        SafetensorsWriter.Write(ClientPath(round, result.ClientId), tensors, DType.F32, metadata);
    }

    /// <summary>The saved update of a client of the open round, or null when it has not finished.</summary>
    public ClientResult? TryLoadClient(int round, int clientId)
    {
        var path = ClientPath(round, clientId);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var reader = SafetensorsReader.Open(path);
            var meta = reader.Metadata;
            string Meta(string key) => meta.TryGetValue(key, out var value) ? value : throw new FederatedStateException($"the metadata has no '{key}'");
            if (Meta("format") != ClientFormat || Meta("round") != round.ToString(CultureInfo.InvariantCulture)
                || Meta("client") != clientId.ToString(CultureInfo.InvariantCulture))
            {
                throw new FederatedStateException($"it is not the round-{round} update of client {clientId}");
            }
            var samples = long.Parse(Meta("samples"), CultureInfo.InvariantCulture);
            var loss = BitConverter.Int64BitsToDouble(long.Parse(Meta("mean_loss_bits"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            if (reader.Contains(ScalarTensor))
            {
                var upload = new ScalarGradientUpload(clientId, reader.Read(ScalarTensor).Span.ToArray(),
                    int.Parse(Meta("steps_run"), CultureInfo.InvariantCulture), int.Parse(Meta("steps_skipped"), CultureInfo.InvariantCulture), loss);
                return new ClientResult(clientId, samples, loss, null, upload);
            }
            var alpha = BitConverter.Int32BitsToSingle(int.Parse(Meta("alpha_bits"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            var modules = new List<LoraModuleUpdate>(_layout.Count);
            foreach (var shape in _layout)
            {
                var a = reader.Read(shape.Name + AdapterUpdate.LoraASuffix);
                var b = reader.Read(shape.Name + AdapterUpdate.LoraBSuffix);
                modules.Add(new LoraModuleUpdate(shape.Name, a.Dim(0), alpha, a.Dim(1), b.Dim(0), a.Span.ToArray(), b.Span.ToArray()));
            }
            return new ClientResult(clientId, samples, loss, new AdapterUpdate(modules), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new FederatedStateException($"{path}: unreadable client update ({e.Message})", e);
        }
    }

    private string RoundDirectory(int round) => Path.Combine(Directory, $"round-{round.ToString("D6", CultureInfo.InvariantCulture)}");

    private string ClientPath(int round, int client) => Path.Combine(RoundDirectory(round), $"client-{client.ToString("D6", CultureInfo.InvariantCulture)}.safetensors");

    private static byte[] Encoding(JsonElement element) => System.Text.Encoding.UTF8.GetBytes(element.GetRawText());

    private static void WriteReport(Utf8JsonWriter writer, RoundReport report)
    {
        writer.WriteStartObject();
        writer.WriteNumber("round", report.Round);
        WriteInts(writer, "sampled", report.Sampled);
        WriteInts(writer, "accepted", report.Accepted);
        writer.WriteStartArray("rejected");
        foreach (var rejection in report.Rejected)
        {
            writer.WriteStartObject();
            writer.WriteNumber("client", rejection.ClientId);
            writer.WriteString("kind", rejection.Kind.ToString());
            writer.WriteString("reason", rejection.Reason);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        StateSerializer.WriteExactDouble(writer, "meanTrainingLoss", report.MeanTrainingLoss);
        if (report.ValidationLoss is { } validation)
        {
            StateSerializer.WriteExactDouble(writer, "validationLoss", validation);
        }
        writer.WriteNumber("bytesDown", report.BytesDown);
        writer.WriteNumber("bytesUp", report.BytesUp);
        StateSerializer.WriteExactDouble(writer, "serverMultiplier", report.ServerMultiplier);
        StateSerializer.WriteExactDouble(writer, "seconds", report.Seconds);
        writer.WriteEndObject();
    }

    private static RoundReport ReadReport(JsonElement element)
    {
        const string context = "a round report";
        var rejected = StateSerializer.RequireArray(element, "rejected", context).EnumerateArray().Select(r => new RejectedUpdate(
            (int)StateSerializer.RequireInt64(r, "client", context),
            Enum.Parse<RejectionKind>(StateSerializer.RequireString(r, "kind", context)),
            StateSerializer.RequireString(r, "reason", context))).ToArray();
        return new RoundReport(
            (int)StateSerializer.RequireInt64(element, "round", context),
            ReadInts(element, "sampled"),
            ReadInts(element, "accepted"),
            rejected,
            StateSerializer.ReadExactDouble(element, "meanTrainingLoss", context),
            element.TryGetProperty("validationLoss", out _) ? StateSerializer.ReadExactDouble(element, "validationLoss", context) : null,
            StateSerializer.RequireInt64(element, "bytesDown", context),
            StateSerializer.RequireInt64(element, "bytesUp", context),
            StateSerializer.ReadExactDouble(element, "serverMultiplier", context),
            StateSerializer.ReadExactDouble(element, "seconds", context));
    }

    private static void WriteInts(Utf8JsonWriter writer, string name, IReadOnlyList<int> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }
        writer.WriteEndArray();
    }

    private static int[] ReadInts(JsonElement owner, string name) =>
        StateSerializer.RequireArray(owner, name, "a round report").EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
