using DeclFed.Stages;

namespace WordCountStage;

/// <summary>The settings of the <see cref="WordCountsAttribute"/> stage: declared once, checked at build time and at start-up.</summary>
public partial class WordCountSettings : StageSettings
{
    /// <summary>A word's length bounds are the wrong way round.</summary>
    public static readonly SettingRule LengthBounds = new("WC0001", "Shortest word longer than the longest");

    /// <summary>How many of the most frequent words to keep.</summary>
    [Minimum(1, Why = "keep at least one word")]
    public int Top { get; init; } = 20;

    /// <summary>The shortest word counted, in characters.</summary>
    [Minimum(1)]
    public int MinLength { get; init; } = 3;

    /// <summary>The longest word counted, in characters.</summary>
    [Minimum(1)]
    public int MaxLength { get; init; } = 24;

    /// <summary>Which text of a record is counted.</summary>
    [OneOf("prompt", "response", "both")]
    public string Field { get; init; } = "both";

    /// <summary>Records counted between two checkpoints.</summary>
    [Minimum(1)]
    public int ChunkSize { get; init; } = 100;

    /// <summary>A pause after each chunk, in milliseconds (to watch a long count, or to stop one in the middle).</summary>
    [Minimum(0)]
    public int PauseMilliseconds { get; init; }

    /// <inheritdoc/>
    protected override void CheckRules(SettingProblems problems)
    {
        if (MinLength > MaxLength)
        {
            problems.Add(LengthBounds, nameof(MinLength), $"MinLength = {MinLength} is more than MaxLength = {MaxLength}; no word could be counted", nameof(MaxLength));
        }
    }
}
