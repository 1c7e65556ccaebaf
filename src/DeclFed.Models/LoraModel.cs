using System.Globalization;
using System.Text.Json;
using DeclFed.Tensors;
using DeclFed.Tensors.Formats;
using DeclFed.Tensors.Model;

namespace DeclFed.Models;

/// <summary>
/// A fine-tuned model: the frozen base it started from, the fine-tuned weights of the projections LoRA wrapped (the
/// base weight with the global update merged in), the global LoRA adapter when the method keeps one in factored form
/// (FedIT, HetLoRA, FedMeZO, FedKSeed; FLoRA and FlexLoRA keep a dense update), a record of how it was trained and a
/// Markdown report. Stored as a directory by <see cref="LoraModelFormat"/>.
/// </summary>
public sealed class LoraModel : IArtifact<LoraModel>
{
    private readonly Dictionary<string, Tensor> _tunedWeights;

    /// <summary>Creates a fine-tuned model.</summary>
    /// <param name="base">The base model.</param>
    /// <param name="tunedWeights">Fine-tuned weights by base parameter name (e.g. <c>model.layers.0.self_attn.q_proj.weight</c>), each of the base tensor's shape.</param>
    /// <param name="adapter">The global adapter in factored form, or <see langword="null"/>.</param>
    /// <param name="training">How the model was trained.</param>
    /// <param name="report">A Markdown report of the training run.</param>
    /// <exception cref="ArgumentException">A name is not a parameter of the base, a shape differs, or the adapter does not fit the base.</exception>
    public LoraModel(LanguageModel @base, IReadOnlyDictionary<string, Tensor> tunedWeights, LoraAdapter? adapter, FineTuningRecord training, string report)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(tunedWeights);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(report);
        _tunedWeights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tunedWeights.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!@base.Weights.TryGet(name, out var parameter))
            {
                throw new ArgumentException($"'{name}' is not a parameter of the base model.", nameof(tunedWeights));
            }
            if (!tensor.HasShape(parameter.Value.Shape))
            {
                throw new ArgumentException($"'{name}' has shape {tensor} but the base parameter is {parameter.Value}.", nameof(tunedWeights));
            }
            _tunedWeights.Add(name, tensor);
        }
        if (adapter is not null && adapter.ModelConfig != @base.Config)
        {
            throw new ArgumentException("The adapter was made for a model of another shape than the base.", nameof(adapter));
        }
        Base = @base;
        Adapter = adapter;
        Training = training;
        Report = report;
    }

    /// <summary>The frozen base model.</summary>
    public LanguageModel Base { get; }

    /// <summary>The fine-tuned weights of the wrapped projections, by base parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> TunedWeights => _tunedWeights;

    /// <summary>The global adapter in factored (PEFT) form, when the method has one.</summary>
    public LoraAdapter? Adapter { get; }

    /// <summary>How the model was trained.</summary>
    public FineTuningRecord Training { get; }

    /// <summary>The training report (Markdown).</summary>
    public string Report { get; }

    /// <summary>A fresh copy of the base weights with the fine-tuned projections in place; the base is not modified.</summary>
    public LlamaWeights BuildWeights()
    {
        var weights = Base.Weights.Clone();
        foreach (var (name, tensor) in _tunedWeights)
        {
            weights[name].Value.CopyFrom(tensor);
        }
        return weights;
    }

    /// <inheritdoc/>
    public static IArtifactFormat<LoraModel> Format { get; } = new LoraModelFormat();
}

/// <summary>How a <see cref="LoraModel"/> was trained, in numbers a report or a later stage can use.</summary>
/// <param name="Method">The method (e.g. <c>FLoRA</c>, <c>FedKSeed</c>, <c>centralized</c>).</param>
/// <param name="Rounds">Federated rounds run (1 for centralized training).</param>
/// <param name="Clients">Clients (1 for centralized training).</param>
/// <param name="Ranks">The distinct LoRA ranks used, ascending.</param>
/// <param name="TargetModules">The projections LoRA wrapped (short names).</param>
/// <param name="FinalValidationLoss">The global model's validation loss after the last round, when measured.</param>
/// <param name="BytesDown">Bytes sent to clients over the run.</param>
/// <param name="BytesUp">Bytes sent by clients over the run.</param>
/// <param name="RejectedUpdates">Client updates rejected or lost to client failures.</param>
/// <param name="Seed">The seed of the run.</param>
public sealed record FineTuningRecord(string Method, int Rounds, int Clients, IReadOnlyList<int> Ranks, IReadOnlyList<string> TargetModules,
    double? FinalValidationLoss, long BytesDown, long BytesUp, int RejectedUpdates, ulong Seed);

/// <summary>
/// Stores a <see cref="LoraModel"/> as a directory: <c>base/</c> (the base in <see cref="LanguageModelFormat"/>'s layout),
/// <c>tuned.safetensors</c> (the fine-tuned projection weights, float32, under the base's parameter names),
/// <c>adapter/</c> (PEFT's <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>, when there is a factored
/// adapter), <c>training.json</c> and <c>report.md</c>.
/// </summary>
public sealed class LoraModelFormat : IArtifactFormat<LoraModel>
{
    /// <summary>The base model's subdirectory.</summary>
    public const string BaseDirectory = "base";

    /// <summary>The fine-tuned weights file.</summary>
    public const string TunedFile = "tuned.safetensors";

    /// <summary>The PEFT adapter's subdirectory (optional).</summary>
    public const string AdapterDirectory = "adapter";

    /// <summary>The training record file.</summary>
    public const string TrainingFile = "training.json";

    /// <summary>The report file.</summary>
    public const string ReportFile = "report.md";

    /// <inheritdoc/>
    public string Name => "lora-model";

    /// <inheritdoc/>
    public string Extension => "";

    /// <inheritdoc/>
    public async ValueTask WriteAsync(LoraModel artifact, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
        await LanguageModel.Format.WriteAsync(artifact.Base, Path.Combine(path, BaseDirectory), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        SafetensorsWriter.Write(Path.Combine(path, TunedFile), artifact.TunedWeights.OrderBy(p => p.Key, StringComparer.Ordinal), DType.F32);
        if (artifact.Adapter is { } adapter)
        {
            PeftAdapter.Save(Path.Combine(path, AdapterDirectory), adapter);
        }
        DeclFed.IO.AtomicFile.WriteAllBytes(Path.Combine(path, TrainingFile), ToJson(artifact.Training));
        DeclFed.IO.AtomicFile.WriteAllBytes(Path.Combine(path, ReportFile), System.Text.Encoding.UTF8.GetBytes(artifact.Report));
    }

    /// <inheritdoc/>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing (named).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or does not fit the base (file named).</exception>
    public async ValueTask<LoraModel> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"LoRA model directory '{path}' does not exist.");
        }
        var @base = await LanguageModel.Format.ReadAsync(Path.Combine(path, BaseDirectory), cancellationToken).ConfigureAwait(false);
        var tunedPath = Require(Path.Combine(path, TunedFile));
        var tuned = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var reader = SafetensorsReader.Open(tunedPath))
        {
            foreach (var name in reader.Entries.Select(e => e.Name))
            {
                if (!@base.Weights.TryGet(name, out var parameter))
                {
                    throw new InvalidDataException($"{tunedPath}: tensor '{name}' is not a parameter of the base model.");
                }
                var tensor = reader.Read(name);
                if (!tensor.HasShape(parameter.Value.Shape))
                {
                    throw new InvalidDataException($"{tunedPath}: tensor '{name}' has shape {tensor} but the base parameter is {parameter.Value}.");
                }
                tuned.Add(name, tensor);
            }
        }
        var adapterPath = Path.Combine(path, AdapterDirectory);
        LoraAdapter? adapter = null;
        if (Directory.Exists(adapterPath))
        {
            try
            {
                adapter = PeftAdapter.Load(adapterPath, @base.Config);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{adapterPath}: the adapter does not fit the base model ({e.Message}).", e);
            }
        }
        var training = ReadTraining(Require(Path.Combine(path, TrainingFile)));
        var report = await File.ReadAllTextAsync(Require(Path.Combine(path, ReportFile)), cancellationToken).ConfigureAwait(false);
        return new LoraModel(@base, tuned, adapter, training, report);
    }

    private static string Require(string file) =>
        File.Exists(file) ? file : throw new FileNotFoundException($"The LoRA model directory has no {Path.GetFileName(file)}.", file);

    private static byte[] ToJson(FineTuningRecord record) => JsonRecordFile.Write(json =>
    {
        json.WriteString("method", record.Method);
        json.WriteNumber("rounds", record.Rounds);
        json.WriteNumber("clients", record.Clients);
        json.WriteStartArray("ranks");
        foreach (var rank in record.Ranks)
        {
            json.WriteNumberValue(rank);
        }
        json.WriteEndArray();
        json.WriteStartArray("target_modules");
        foreach (var module in record.TargetModules)
        {
            json.WriteStringValue(module);
        }
        json.WriteEndArray();
        if (record.FinalValidationLoss is { } loss)
        {
            json.WriteNumber("final_validation_loss", loss);
        }
        else
        {
            json.WriteNull("final_validation_loss");
        }
        json.WriteNumber("bytes_down", record.BytesDown);
        json.WriteNumber("bytes_up", record.BytesUp);
        json.WriteNumber("rejected_updates", record.RejectedUpdates);
        JsonRecordFile.WriteSeed(json, record.Seed);
    });

    private static FineTuningRecord ReadTraining(string path) => JsonRecordFile.Read(path, "training record", fields =>
    {
        var seed = fields.Seed();
        var loss = fields["final_validation_loss"];
        return new FineTuningRecord(
            fields.String("method"),
            fields["rounds"].GetInt32(),
            fields["clients"].GetInt32(),
            fields["ranks"].EnumerateArray().Select(r => r.GetInt32()).ToArray(),
            fields["target_modules"].EnumerateArray().Select(m => m.GetString() ?? throw new InvalidDataException($"{path}: a target module is null.")).ToArray(),
            loss.ValueKind == JsonValueKind.Null ? null : loss.GetDouble(),
            fields["bytes_down"].GetInt64(),
            fields["bytes_up"].GetInt64(),
            fields["rejected_updates"].GetInt32(),
            seed);
    });
}
