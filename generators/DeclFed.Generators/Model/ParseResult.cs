using DeclFed.Generators.Diagnostics;

namespace DeclFed.Generators.Model;

/// <summary>
/// What parsing one <c>[Pipeline]</c> class yields: the model to emit (null when the pipeline has errors),
/// the record types its steps use, and the diagnostics to report.
/// </summary>
internal sealed record PipelineParseResult(
    PipelineSpec? Pipeline,
    EquatableArray<RecordParseResult> Records,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>
    /// The implementing declarations of the class's declarative stages, or null when it has none that can be written. They are
    /// written even when the pipeline has errors, so that a wrong setting is not followed by "partial method has no implementation".
    /// </summary>
    public StageBodiesSpec? StageBodies { get; init; }
}

/// <summary>What parsing one record type yields: its schema model (null when it cannot have one) and the diagnostics.</summary>
internal sealed record RecordParseResult(
    string Key,
    RecordSpec? Record,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>What parsing one stage's attribute class in its own assembly yields: the settings class's model (null when it cannot be extended) and the diagnostics.</summary>
internal sealed record StageSettingsParseResult(StageSettingsSpec? Settings, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Nothing to write and nothing to report.</summary>
    public static StageSettingsParseResult None { get; } = new(null, EquatableArray<DiagnosticInfo>.Empty);
}
