namespace DeclFed.Generators;

/// <summary>Names of the tracked incremental steps; tests use them to check that an unrelated edit leaves every step cached.</summary>
internal static class TrackingNames
{
    public const string PipelineResults = nameof(PipelineResults);
    public const string PipelineModels = nameof(PipelineModels);
    public const string PipelineDiagnostics = nameof(PipelineDiagnostics);
    public const string AllPipelines = nameof(AllPipelines);
    public const string DependencyInjection = nameof(DependencyInjection);
    public const string DatasetRecordResults = nameof(DatasetRecordResults);
    public const string AllRecords = nameof(AllRecords);
    public const string StageBodies = nameof(StageBodies);
    public const string StageSettingsResults = nameof(StageSettingsResults);
}
