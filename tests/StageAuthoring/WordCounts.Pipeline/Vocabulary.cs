using DeclFed;
using DeclFed.Data;
using DeclFed.Graph;
using WordCountStage;

namespace WordCountPipeline;

/// <summary>The built-in records and their vocabulary, counted by a stage that is not part of DeclFed.</summary>
[Pipeline(Description = "Count the words of the built-in instructions with a stage of one's own")]
public partial class Vocabulary
{
    /// <summary>The records.</summary>
    [Step]
    public Dataset<Instruction> Records(StepContext context, [Option] int count = 600) => DefaultData.Instructions(count, context.Seed);

    /// <summary>The 25 most frequent words of four letters or more.</summary>
    [WordCounts(Top = 25, MinLength = 4, ChunkSize = 100)]
    public partial Dataset<WordCount> Words(Dataset<Instruction> records);
}
