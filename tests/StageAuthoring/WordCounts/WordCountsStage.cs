using System.Text.Json;
using DeclFed;
using DeclFed.Data;
using DeclFed.Graph;
using DeclFed.IO;
using Microsoft.Extensions.Logging;

namespace WordCountStage;

/// <summary>
/// The runtime of <see cref="WordCountsAttribute"/>: counts the words of the records chunk by chunk, checkpointing the counts
/// after each chunk in the step's work directory, so an interrupted run continues after its last complete chunk.
/// </summary>
public static class WordCountsStage
{
    private const string CheckpointFile = "counts.json";

    /// <summary>Counts the words of <paramref name="records"/> and returns the most frequent ones, most frequent first.</summary>
    /// <param name="context">The step's context (its work directory holds the checkpoint).</param>
    /// <param name="settings">The stage's settings.</param>
    /// <param name="records">The records to count.</param>
    /// <param name="cancellationToken">Stops the count after the chunk in progress.</param>
    public static async ValueTask<Dataset<WordCount>> RunAsync(StepContext context, WordCountSettings settings, Dataset<Instruction> records,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(records);
        settings.EnsureValid(context.Step.Name);
        var path = Path.Combine(context.WorkDirectory, CheckpointFile);
        var checkpoint = File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), CheckpointJson.Default.Checkpoint)! : new Checkpoint(0, []);
        var counts = new Dictionary<string, int>(checkpoint.Counts, StringComparer.Ordinal);
        if (checkpoint.Next > 0)
        {
            var logger = (context.Services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger("WordCounts." + context.Step.Name);
            logger?.LogInformation("{Step}: resumed after record {Next} of {Count}", context.Step.Name, checkpoint.Next, records.Count);
        }
        for (var start = checkpoint.Next; start < records.Count; start += settings.ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = Math.Min(records.Count, start + settings.ChunkSize);
            for (var i = start; i < end; i++)
            {
                foreach (var word in Words(records[i], settings))
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
            }
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new Checkpoint(end, counts), CheckpointJson.Default.Checkpoint));
            context.ReportProgress(new StepProgress(end, records.Count, $"{end}/{records.Count} records"));
            if (settings.PauseMilliseconds > 0)
            {
                await Task.Delay(settings.PauseMilliseconds, cancellationToken).ConfigureAwait(false);
            }
        }
        return Dataset.From(counts
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(settings.Top)
            .Select(p => new WordCount(p.Key, p.Value))
            .ToArray());
    }

    private static IEnumerable<string> Words(Instruction record, WordCountSettings settings)
    {
        var text = settings.Field switch
        {
            "prompt" => record.Prompt,
            "response" => record.Response,
            _ => record.Prompt + " " + record.Response,
        };
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var word = new string(token.Where(char.IsLetter).ToArray()).ToLowerInvariant();
            if (word.Length >= settings.MinLength && word.Length <= settings.MaxLength)
            {
                yield return word;
            }
        }
    }
}

/// <summary>The counts after the records before <see cref="Next"/>.</summary>
/// <param name="Next">The first record not yet counted.</param>
/// <param name="Counts">The counts so far.</param>
internal sealed record Checkpoint(int Next, Dictionary<string, int> Counts);

[System.Text.Json.Serialization.JsonSerializable(typeof(Checkpoint))]
internal sealed partial class CheckpointJson : System.Text.Json.Serialization.JsonSerializerContext;
