using DeclFed.Stages;

namespace WordCountStage;

/// <summary>
/// Declares a word-count stage on a partial method <c>Dataset&lt;WordCount&gt; M(Dataset&lt;Instruction&gt; records)</c>: the
/// most frequent words of the records, counted in checkpointed chunks.
/// </summary>
[DeclarativeStage(typeof(WordCountsStage))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class WordCountsAttribute : WordCountSettings
{
    /// <summary>A one-line description shown by the <c>describe</c> verb.</summary>
    public string? Description { get; set; }
}
