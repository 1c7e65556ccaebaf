using System.Globalization;
using System.Text.Json;
using DeclFed.Data.Tokenizers;
using DeclFed.Tensors;
using DeclFed.Tensors.Formats;
using DeclFed.Tensors.Model;

namespace DeclFed.Models;

/// <summary>
/// A frozen base language model: LLaMA-style weights and the tokenizer whose ids they were trained on, plus what is
/// known of how it was pretrained. Stored as a directory by <see cref="LanguageModelFormat"/>.
/// </summary>
public sealed class LanguageModel : IArtifact<LanguageModel>
{
    /// <summary>Pairs <paramref name="weights"/> with <paramref name="tokenizer"/>.</summary>
    /// <exception cref="ArgumentException">The tokenizer has more ids than the model's vocabulary.</exception>
    public LanguageModel(LlamaWeights weights, BpeTokenizer tokenizer, PretrainingRecord? pretraining = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabularySize > weights.Config.VocabSize)
        {
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabularySize} ids but the model's vocabulary holds only {weights.Config.VocabSize}.", nameof(tokenizer));
        }
        Weights = weights;
        Tokenizer = tokenizer;
        Pretraining = pretraining;
    }

    /// <summary>The model's shape.</summary>
    public LlamaConfig Config => Weights.Config;

    /// <summary>The frozen base weights (share them between any number of <see cref="LlamaModel"/>s).</summary>
    public LlamaWeights Weights { get; }

    /// <summary>The tokenizer the weights were trained with.</summary>
    public BpeTokenizer Tokenizer { get; }

    /// <summary>How the base was pretrained, when it was pretrained by DeclFed; null for an imported checkpoint.</summary>
    public PretrainingRecord? Pretraining { get; }

    /// <summary>The number of parameters of the base.</summary>
    public long ParameterCount => Config.ParameterCount();

    /// <inheritdoc/>
    public static IArtifactFormat<LanguageModel> Format { get; } = new LanguageModelFormat();
}

/// <summary>What pretraining reported: steps, tokens, the loss of the first and of the last step.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="CorpusTokens">Tokens in the training corpus.</param>
/// <param name="InitialLoss">Training loss of the first step (nats per token).</param>
/// <param name="FinalLoss">Mean training loss over the last steps (nats per token).</param>
/// <param name="Seed">Seed of the initial weights and of window sampling.</param>
public sealed record PretrainingRecord(int Steps, long CorpusTokens, double InitialLoss, double FinalLoss, ulong Seed);

/// <summary>
/// Stores a <see cref="LanguageModel"/> as a directory in Hugging Face's layout: <c>config.json</c> and
/// <c>model.safetensors</c> (float32, so weights round-trip bit for bit), <c>tokenizer.json</c>, and
/// <c>pretraining.json</c> when the model records its pretraining.
/// </summary>
public sealed class LanguageModelFormat : IArtifactFormat<LanguageModel>
{
    /// <summary>The tokenizer file name.</summary>
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>The pretraining record file name (optional).</summary>
    public const string PretrainingFile = "pretraining.json";

    /// <inheritdoc/>
    public string Name => "language-model";

    /// <inheritdoc/>
    public string Extension => "";

    /// <inheritdoc/>
    public ValueTask WriteAsync(LanguageModel artifact, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        LlamaCheckpoint.Save(path, artifact.Weights, DType.F32);
        HuggingFaceTokenizerFile.Write(artifact.Tokenizer, Path.Combine(path, TokenizerFile));
        if (artifact.Pretraining is { } record)
        {
            DeclFed.IO.AtomicFile.WriteAllBytes(Path.Combine(path, PretrainingFile), ToJson(record));
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing (named).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or the tokenizer does not fit the model (file named).</exception>
    public ValueTask<LanguageModel> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Language model directory '{path}' does not exist.");
        }
        var tokenizerPath = Path.Combine(path, TokenizerFile);
        if (!File.Exists(tokenizerPath))
        {
            throw new FileNotFoundException($"Language model directory '{path}' has no {TokenizerFile}.", tokenizerPath);
        }
        LlamaWeights weights;
        try
        {
            weights = LlamaCheckpoint.Load(path);
        }
        catch (ArgumentException e)
        {
            // An invalid config (heads not dividing the width, …) is a corrupt file here, not a caller's mistake.
            throw new InvalidDataException($"{Path.Combine(path, LlamaCheckpoint.ConfigFile)}: {e.Message}", e);
        }
        BpeTokenizer tokenizer;
        try
        {
            tokenizer = HuggingFaceTokenizerFile.Read(tokenizerPath);
        }
        catch (Exception e) when (e is TokenizerFormatException or JsonException)
        {
            throw new InvalidDataException($"{tokenizerPath}: not a readable tokenizer ({e.Message}).", e);
        }
        if (tokenizer.VocabularySize > weights.Config.VocabSize)
        {
            throw new InvalidDataException(
                $"{tokenizerPath}: the tokenizer has {tokenizer.VocabularySize} ids but the model's vocab_size is {weights.Config.VocabSize}.");
        }
        var recordPath = Path.Combine(path, PretrainingFile);
        var record = File.Exists(recordPath) ? ReadRecord(recordPath) : null;
        return ValueTask.FromResult(new LanguageModel(weights, tokenizer, record));
    }

    private static byte[] ToJson(PretrainingRecord record) => JsonRecordFile.Write(json =>
    {
        json.WriteNumber("steps", record.Steps);
        json.WriteNumber("corpus_tokens", record.CorpusTokens);
        json.WriteNumber("initial_loss", record.InitialLoss);
        json.WriteNumber("final_loss", record.FinalLoss);
        JsonRecordFile.WriteSeed(json, record.Seed);
    });

    private static PretrainingRecord ReadRecord(string path) => JsonRecordFile.Read(path, "pretraining record", fields =>
    {
        var seed = fields.Seed();
        return new PretrainingRecord(fields["steps"].GetInt32(), fields["corpus_tokens"].GetInt64(),
            fields["initial_loss"].GetDouble(), fields["final_loss"].GetDouble(), seed);
    });
}
