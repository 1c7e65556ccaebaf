using DeclFed.Records;

namespace WordCountStage;

/// <summary>One word and how often it occurs.</summary>
/// <param name="Word">The word, lower case.</param>
/// <param name="Count">Its occurrences.</param>
[DatasetRecord]
public sealed record WordCount(string Word, int Count);
