using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Tests;

/// <summary>
/// One test per diagnostic ID: the ID, severity, the span it points at (marked <c>[|...|]</c> in the source)
/// and the words of the message that say what to change. A pipeline with errors gets no generated definition.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Prelude = """
        using System.Threading;
        using System.Threading.Tasks;
        using DeclFed;

        namespace Demo;

        public sealed record Row(string Text);
        public sealed record Other(int Value);

        """;

    [Fact]
    public void DF0001_pipeline_class_not_partial() => AssertSingle("""
        [Pipeline]
        public class [|Plain|]
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
        }
        """, "DF0001", DiagnosticSeverity.Error, "'Plain'", "must be partial", "add the 'partial' modifier");

    [Fact]
    public void DF0002_input_no_step_produces_suggests_the_nearest_step() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Clean() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> Use(Dataset<Row> [|clen|]) => clen;
        }
        """, "DF0002", DiagnosticSeverity.Error, "'clen'", "step 'Use'", "did you mean 'Clean'?", "[From(\"step\")]", "[Option]");

    [Fact]
    public void DF0003_input_type_differs_from_producer_output() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> Use([|Dataset<Other>|] load) => Dataset.From(new Row("b"));
        }
        """, "DF0003", DiagnosticSeverity.Error, "'load'", "'Dataset<Other>'", "step 'Load' produces 'Dataset<Row>'", "change the parameter type to 'Dataset<Row>'");

    [Fact]
    public void DF0004_cycle_names_its_steps_in_order() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> [|First|](Dataset<Row> third) => third;
            [Step] public Dataset<Row> Second(Dataset<Row> first) => first;
            [Step] public Dataset<Row> Third(Dataset<Row> second) => second;
        }
        """, "DF0004", DiagnosticSeverity.Error, "First -> Second -> Third -> First", "remove one of these inputs");

    [Fact]
    public void DF0005_duplicate_step_names() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> [|Load|]([Option] int count = 1) => Dataset.From(new Row("b"));
        }
        """, "DF0005", DiagnosticSeverity.Error, "'Load'", "more than one [Step] method", "rename the overloads");

    [Fact]
    public void DF0006_step_returning_void() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public [|void|] Load() { }
        }
        """, "DF0006", DiagnosticSeverity.Error, "'Load'", "returns 'void'", "not an artifact", "IArtifact<T>");

    [Fact]
    public void DF0006_step_returning_a_task_of_a_non_artifact() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public [|Task<int>|] Load() => Task.FromResult(1);
        }
        """, "DF0006", DiagnosticSeverity.Error, "'Load'", "returns 'Task<int>'", "ValueTask<T>");

    [Fact]
    public void DF0007_option_of_unsupported_type() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load([Option(Name = "when")] [|System.TimeSpan|] delay) => Dataset.From(new Row("a"));
        }
        """, "DF0007", DiagnosticSeverity.Error, "Option 'when'", "step 'Load'", "'TimeSpan'", "use string, bool, int, long, float, double, an enum");

    [Fact]
    public void DF0008_unused_output_that_is_not_the_final_step() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> [|Side|](Dataset<Row> load) => load;
            [Step] public Dataset<Row> Main(Dataset<Row> load) => load;
        }
        """, "DF0008", DiagnosticSeverity.Warning, "step 'Side'", "final step 'Main'", "pass it to a step");

    [Fact]
    public void DF0009_record_property_of_unsupported_type() => AssertSingleWithPipeline("""
        public sealed record Bad(string Text)
        {
            public System.Guid [|Id|] { get; init; }
        }

        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Bad> Load() => Dataset.From(new Bad("a"));
        }
        """, "DF0009", DiagnosticSeverity.Error, "'Id'", "record 'Demo.Bad'", "'Guid'", "make the property non-public");

    [Fact]
    public void DF0010_from_naming_no_step() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> Use([From("Lod")] Dataset<Row> [|rows|]) => rows;
        }
        """, "DF0010", DiagnosticSeverity.Error, "[From(\"Lod\")]", "'rows'", "did you mean 'Load'?");

    [Fact]
    public void DF0011_pipeline_without_steps() => AssertSingle("""
        [Pipeline]
        public partial class [|Idle|]
        {
            public Dataset<Row> NotAStep() => Dataset.From(new Row("a"));
        }
        """, "DF0011", DiagnosticSeverity.Warning, "'Idle'", "no [Step] methods", "add at least one step");

    [Fact]
    public void DF0012_generic_pipeline_class() => AssertSingle("""
        [Pipeline]
        public partial class [|Box|]<T>
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
        }
        """, "DF0012", DiagnosticSeverity.Error, "'Box'", "generic", "remove its type parameters");

    [Fact]
    public void DF0013_containing_type_not_partial() => AssertSingle("""
        public class [|Outer|]
        {
            [Pipeline]
            public partial class Inner
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            }
        }
        """, "DF0013", DiagnosticSeverity.Error, "'Outer'", "contains pipeline 'Inner'", "add the 'partial' modifier");

    [Fact]
    public void DF0014_private_step() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] private Dataset<Row> [|Load|]() => Dataset.From(new Row("a"));
        }
        """, "DF0014", DiagnosticSeverity.Error, "'Load'", "is private", "make it public or internal");

    [Fact]
    public void DF0015_generic_step() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> [|Load|]<T>() => Dataset.From(new Row("a"));
        }
        """, "DF0015", DiagnosticSeverity.Error, "'Load'", "generic", "remove its type parameters");

    [Fact]
    public void DF0016_abstract_pipeline_class() => AssertSingle("""
        [Pipeline]
        public abstract partial class [|Base|]
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
        }
        """, "DF0016", DiagnosticSeverity.Error, "'Base'", "is abstract", "non-static, non-abstract class");

    [Fact]
    public void DF0017_step_parameter_passed_by_reference() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            [Step] public Dataset<Row> Use(ref Dataset<Row> [|load|]) => load;
        }
        """, "DF0017", DiagnosticSeverity.Error, "'load'", "step 'Use'", "passed by reference", "remove the 'ref', 'out' or 'in' modifier");

    [Fact]
    public void DF0018_duplicate_option_name() => AssertSingle("""
        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load([Option(Name = "size")] int a = 1, [Option(Name = "Size")] int [|b|] = 2) => Dataset.From(new Row("a"));
        }
        """, "DF0018", DiagnosticSeverity.Error, "Step 'Load'", "'Size'", "give each [Option] its own Name");

    [Fact]
    public void DF0019_record_type_that_cannot_be_constructed() => AssertSingleWithPipeline("""
        public abstract record [|Shape|](string Name);

        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Shape> Load() => Dataset<Shape>.Empty;
        }
        """, "DF0019", DiagnosticSeverity.Error, "'Demo.Shape'", "cannot be stored in a dataset", "abstract", "use a concrete class or struct");

    [Fact]
    public void DF0019_constructor_parameter_matching_no_property() => AssertSingleWithPipeline("""
        public sealed class [|Sample|]
        {
            public Sample(string label) { Text = label; }
            public string Text { get; }
        }

        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Sample> Load() => Dataset<Sample>.Empty;
        }
        """, "DF0019", DiagnosticSeverity.Error, "'Demo.Sample'", "constructor parameter 'label'", "rename the parameter");

    [Fact]
    public void DF0020_two_fields_of_a_record_share_a_name_ignoring_case() => AssertSingleWithPipeline("""
        public sealed record Named(string Id, [DeclFed.Records.RecordField("id")] string [|Key|]);

        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Named> Load() => Dataset<Named>.Empty;
        }
        """, "DF0020", DiagnosticSeverity.Error, "Field name 'id'", "property 'Key'", "'Demo.Named'", "also the field name of property 'Id'", "[RecordField(");

    [Fact]
    public void DF0020_record_field_name_is_empty() => AssertSingleWithPipeline("""
        [DeclFed.Records.DatasetRecord]
        public sealed class Blank
        {
            [DeclFed.Records.RecordField(" ")] public string [|Text|] { get; set; } = "";
        }

        [Pipeline]
        public partial class P
        {
            [Step] public Dataset<Row> Load() => Dataset<Row>.Empty;
        }
        """, "DF0020", DiagnosticSeverity.Error, "property 'Text'", "'Demo.Blank'", "is empty");

    [Fact]
    public void Every_descriptor_is_covered_by_a_test_and_listed_in_the_release_file()
    {
        var ids = typeof(Diagnostics.DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .ToList();
        var tests = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).ToList();
        var unshipped = File.ReadAllText(Testing.RepositoryPaths.Combine("generators", "DeclFed.Generators", "AnalyzerReleases.Unshipped.md"));

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(tests, t => t.StartsWith(id + "_", StringComparison.Ordinal)));
        Assert.All(ids, id => Assert.Contains($"\n{id} | DeclFed |", unshipped));
    }

    /// <summary>
    /// Runs the generator on <see cref="Prelude"/> + <paramref name="markedSource"/> and checks the one diagnostic
    /// it reports; an error also means that no pipeline source is emitted.
    /// </summary>
    private static void AssertSingle(string markedSource, string id, DiagnosticSeverity severity, params string[] messageWords) =>
        AssertSingle(Prelude, markedSource, [], id, severity, messageWords, expectPipeline: false);

    /// <summary>Like <see cref="AssertSingle(string, string, DiagnosticSeverity, string[])"/>, for diagnostics that leave the pipeline itself valid (records, warnings).</summary>
    private static void AssertSingleWithPipeline(string markedSource, string id, DiagnosticSeverity severity, params string[] messageWords) =>
        AssertSingle(Prelude, markedSource, [], id, severity, messageWords, expectPipeline: true);

    private static Diagnostic AssertSingle(string prelude, string markedSource, string[] otherSources, string id, DiagnosticSeverity severity, string[] messageWords, bool expectPipeline)
    {
        var marked = prelude + markedSource;
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        Assert.True(start >= 0 && end >= start, "The test source must mark the expected span with [|...|].");
        var source = marked.Replace("[|", string.Empty).Replace("|]", string.Empty);

        var run = GeneratorHarness.Run([source, .. otherSources]);

        Assert.Null(run.Generator.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource, $"{id} has no source location.");
        Assert.Equal(source.Substring(start, end - start), diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(start, diagnostic.Location.SourceSpan.Start);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(messageWords, word => Assert.Contains(word, message));
        var pipelineSources = run.HintNames.Where(h => h.EndsWith(".Pipeline.g.cs", StringComparison.Ordinal)).ToList();
        Assert.Equal(expectPipeline || severity != DiagnosticSeverity.Error ? 1 : 0, pipelineSources.Count);
        // Whatever is emitted must compile: only the user's own code may have compiler errors.
        Assert.All(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error),
            d => Assert.DoesNotContain(".g.cs", d.Location.SourceTree?.FilePath ?? string.Empty));
        return diagnostic;
    }
}
