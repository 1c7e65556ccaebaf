using System.Reflection;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DeclFed.Generators.Tests;

/// <summary>The incremental pipeline caches: unrelated edits leave every tracked step cached, and models hold no Roslyn objects.</summary>
public sealed class IncrementalTests
{
    private const string WarningPipeline = """
        using DeclFed;

        namespace Demo.Warned;

        public sealed record Item(int Value);

        [Pipeline]
        public partial class Warned
        {
            [Step] public Dataset<Item> Load() => Dataset.From(new Item(1));
            [Step] public Dataset<Item> Unused(Dataset<Item> load) => load;
            [Step] public Dataset<Item> Final(Dataset<Item> load) => load;
        }
        """;

    private static readonly string[] TrackedNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void Unrelated_new_file_leaves_every_tracked_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compile([TestSources.Quickstart, TestSources.AllFieldTypes, WarningPipeline, FederatedTestSources.Tuning, FederatedTestSources.RecordStage, FederatedTestSources.RecordPipeline]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single();

        var unrelated = CSharpSyntaxTree.ParseText("namespace Elsewhere; public class Unrelated { public int Value => 42; }", GeneratorHarness.ParseOptions, "Unrelated.cs");
        var after = driver.RunGenerators(compilation.AddSyntaxTrees(unrelated)).GetRunResult().Results.Single();

        Assert.Null(after.Exception);
        Assert.Equal(before.GeneratedSources.Select(s => s.SourceText.ToString()), after.GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.NotEmpty(TrackedNames);
        foreach (var name in TrackedNames)
        {
            Assert.True(after.TrackedSteps.TryGetValue(name, out var steps), $"Step '{name}' was not tracked.");
            var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step '{name}' output was {reason} after an unrelated edit."));
        }
    }

    [Fact]
    public void Whitespace_and_comment_edit_of_a_step_keeps_the_model_while_a_code_edit_changes_its_hash()
    {
        var compilation = GeneratorHarness.Compile([TestSources.Quickstart]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var text = tree.GetText().ToString();
        var original = GeneratedDefinition(driver);

        var reformatted = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            text.Replace("await Task.Yield();", "await   Task.Yield();   // let the caller continue")));
        var afterReformat = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, reformatted));
        var models = afterReformat.GetRunResult().Results.Single().TrackedSteps[TrackingNames.PipelineModels];
        Assert.All(models.SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, o.Reason.ToString()));
        Assert.Equal(original, GeneratedDefinition(afterReformat));

        var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace("await Task.Yield();", "await Task.Delay(1);")));
        var afterEdit = GeneratedDefinition(driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited)));
        var changed = original.Split('\n').Zip(afterEdit.Split('\n')).Where(pair => pair.First != pair.Second).ToList();
        var line = Assert.Single(changed);
        Assert.Contains("CodeHash:", line.First);
    }

    private static string GeneratedDefinition(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().GeneratedSources
            .Single(s => s.HintName == "Demo.Pipelines.Quickstart.Pipeline.g.cs").SourceText.ToString();

    private const string RecordFile = """
        namespace Demo.Edits;

        public sealed record Row(string Text);
        """;

    private const string PipelineFile = """
        using DeclFed;
        using DeclFed.Graph;
        using Demo.Stages;

        namespace Demo.Edits;

        [Pipeline]
        public partial class Edited
        {
            [Step] public Dataset<Row> Load(StepContext context, [Option] int count = 3) => Dataset.From(new Row("a"));
            [Record(Count = 4)] public partial Dataset<Row> Kept(Dataset<Row> load);
        }
        """;

    public static TheoryData<string, string, string, string, string[]> Edits => new()
    {
        // Another file's record gains a column: the schema changes, the pipeline model and the stage bodies do not.
        { "record edited in another file", "Record.cs", "record Row(string Text)", "record Row(string Text, int Length)",
            [$"{TrackingNames.PipelineModels}=Unchanged", $"{TrackingNames.StageBodies}=Unchanged", $"{TrackingNames.AllRecords}=Modified", $"{TrackingNames.StageSettingsResults}=Unchanged"] },
        // A new step: the pipeline's model changes; the stage bodies and the record schemas do not.
        { "step added", "Pipeline.cs", "[Record(Count = 4)]", "[Step] public Dataset<Row> Extra(Dataset<Row> kept) => kept;\n    [Record(Count = 4)]",
            [$"{TrackingNames.PipelineModels}=Modified", $"{TrackingNames.AllPipelines}=Modified", $"{TrackingNames.StageBodies}=Unchanged", $"{TrackingNames.AllRecords}=Unchanged"] },
        // An option's default: the model (its descriptor and code hash) changes; nothing else.
        { "option default changed", "Pipeline.cs", "int count = 3", "int count = 4",
            [$"{TrackingNames.PipelineModels}=Modified", $"{TrackingNames.StageBodies}=Unchanged", $"{TrackingNames.AllRecords}=Unchanged", $"{TrackingNames.StageSettingsResults}=Unchanged"] },
        // A stage's written setting: the model and that stage's body change.
        { "stage setting changed", "Pipeline.cs", "Count = 4", "Count = 5",
            [$"{TrackingNames.PipelineModels}=Modified", $"{TrackingNames.StageBodies}=Modified", $"{TrackingNames.AllRecords}=Unchanged"] },
        // A setting of the stage's own definition: its generated half changes; no pipeline model does.
        { "stage setting default changed", "Stage.cs", "public int Count { get; init; } = 3;", "public int Count { get; init; } = 6;",
            [$"{TrackingNames.StageSettingsResults}=Unchanged", $"{TrackingNames.PipelineModels}=Unchanged"] },
        { "stage setting documented anew", "Stage.cs", "/// <summary>How many records to keep.</summary>", "/// <summary>How many records to keep, at most.</summary>",
            [$"{TrackingNames.StageSettingsResults}=Modified", $"{TrackingNames.PipelineModels}=Unchanged"] },
    };

    /// <summary>Edit scenarios (as Mapperly's incremental tests): each edit changes exactly the steps that depend on what it touched.</summary>
    [Theory]
    [MemberData(nameof(Edits))]
    public void An_edit_recomputes_only_what_depends_on_it(string what, string file, string find, string replace, string[] expected)
    {
        var files = new Dictionary<string, string> { ["Record.cs"] = RecordFile, ["Pipeline.cs"] = PipelineFile, ["Stage.cs"] = FederatedTestSources.RecordStage };
        var compilation = GeneratorHarness.Compile(files.Values);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        var index = files.Keys.ToList().IndexOf(file);
        var tree = compilation.SyntaxTrees.ElementAt(index);
        Assert.Contains(find, files[file]);
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(files[file].Replace(find, replace))));

        var after = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Null(after.Exception);
        foreach (var expectation in expected)
        {
            var (name, reason) = (expectation.Split('=')[0], Enum.Parse<IncrementalStepRunReason>(expectation.Split('=')[1]));
            var reasons = after.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.True(reason == IncrementalStepRunReason.Unchanged
                    ? reasons.All(r => r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached)
                    : reasons.Contains(reason),
                $"{what}: expected {name} {reason}, got {string.Join(", ", reasons)}.");
        }
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_compilations_or_locations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location) };
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>([typeof(PipelineParseResult), typeof(RecordParseResult), typeof(PipelineSpec), typeof(RecordSpec), typeof(StageSettingsParseResult), typeof(StageBodiesSpec)]);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            if (type.Assembly != typeof(PipelineSpec).Assembly)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    pending.Enqueue(argument);
                }
                continue;
            }
            if (!type.IsEnum && !type.IsPrimitive)
            {
                Assert.True(type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEquatable<>)),
                    $"Model type {type} is not equatable.");
            }
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var fieldType = field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType;
                pending.Enqueue(fieldType);
                foreach (var argument in fieldType.GetGenericArguments())
                {
                    pending.Enqueue(argument);
                }
            }
        }
        Assert.Contains(typeof(StepSpec), seen);
        Assert.Contains(typeof(Diagnostics.LocationInfo), seen);
    }
}
