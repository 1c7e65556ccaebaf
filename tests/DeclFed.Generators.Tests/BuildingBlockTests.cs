using DeclFed.Stages;
using DeclFed.Generators.Parsing;
using Microsoft.CodeAnalysis.CSharp;

namespace DeclFed.Generators.Tests;

/// <summary>The small algorithms the parser relies on: the code hash, the name suggestion and the step graph.</summary>
public sealed class BuildingBlockTests
{
    // Published FNV-1a 64-bit test vectors (the FNV reference test suite); one token hashes its own text.
    [Theory]
    [InlineData("a", "af63dc4c8601ec8c")]
    [InlineData("foobar", "85944171f73967e8")]
    public void Code_hash_of_one_token_is_its_fnv1a_64(string identifier, string expected) =>
        Assert.Equal(expected, CodeHasher.Hash([SyntaxFactory.IdentifierName(identifier)]));

    [Fact]
    public void Code_hash_ignores_whitespace_and_comments_but_not_code()
    {
        static string Hash(string method) => CodeHasher.Hash([SyntaxFactory.ParseMemberDeclaration(method)!]);

        var baseline = Hash("[Step] public int Add(int x) => x + 1;");
        Assert.Equal(baseline, Hash("[Step]\n    public   int Add( int x )\n        => x+1; // adds one"));
        Assert.Equal(baseline, Hash("/// <summary>Adds.</summary>\n[Step] public int Add(int x) => x /* one */ + 1;"));
        Assert.NotEqual(baseline, Hash("[Step] public int Add(int x) => x + 2;"));
        Assert.NotEqual(baseline, Hash("[Step(Description = \"d\")] public int Add(int x) => x + 1;"));
        Assert.Equal(Hash("string s = \"\"\"\n    a\n    \"\"\";"), Hash("string s = \"\"\"\r\n    a\r\n    \"\"\";"));
        // Tokens are separated, so merging two tokens into one changes the hash.
        Assert.NotEqual(Hash("int a = b + +c;"), Hash("int a = b ++c;"));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Edit_distance_is_levenshtein(string a, string b, int expected) =>
        Assert.Equal(expected, NameSuggestion.Distance(a, b));

    [Fact]
    public void Suggestion_picks_the_nearest_name_case_insensitively_and_only_when_close()
    {
        Assert.Equal(" (did you mean 'Clean'?)", NameSuggestion.DidYouMean("clen", ["Raw", "Clean", "Evaluate"]));
        Assert.Equal(" (did you mean 'Raw'?)", NameSuggestion.DidYouMean("RAW", ["Raw", "Clean"]));
        Assert.Equal(string.Empty, NameSuggestion.DidYouMean("tokenizer", ["Raw", "Clean"]));
        Assert.Equal(string.Empty, NameSuggestion.DidYouMean("x", []));
    }

    [Fact]
    public void Topological_order_runs_producers_first_and_keeps_declaration_order_among_ready_steps()
    {
        // 0 <- 2, 1 <- 0, 3 independent: 2 must run before 0, which runs before 1.
        var graph = new StepGraph(4);
        graph.AddEdge(producer: 2, consumer: 0);
        graph.AddEdge(producer: 0, consumer: 1);

        Assert.Empty(graph.FindCycles());
        Assert.Equal([2, 0, 1, 3], graph.TopologicalOrder());
        Assert.True(graph.IsConsumed(0));
        Assert.False(graph.IsConsumed(3));
    }

    [Fact]
    public void Cycles_are_found_once_each_in_data_flow_order_from_the_earliest_step()
    {
        var graph = new StepGraph(5);
        graph.AddEdge(producer: 0, consumer: 1);
        graph.AddEdge(producer: 1, consumer: 2);
        graph.AddEdge(producer: 2, consumer: 0);
        graph.AddEdge(producer: 3, consumer: 3);
        graph.AddEdge(producer: 2, consumer: 4);

        var cycles = graph.FindCycles();

        Assert.Equal(2, cycles.Count);
        Assert.Contains(cycles, c => c.SequenceEqual([0, 1, 2]));
        Assert.Contains(cycles, c => c.SequenceEqual([3]));
        Assert.Throws<InvalidOperationException>(() => graph.TopologicalOrder());
    }

    [Fact]
    public void Snapshot_diff_shows_changed_lines_with_numbers_and_context()
    {
        var expected = string.Join("\n", Enumerable.Range(1, 12).Select(i => $"line {i}"));
        var actual = expected.Replace("line 3", "line three").Replace("line 11\n", string.Empty);

        var diff = LineDiff.Format(expected, actual);

        string[] lines =
        [
            "     1: line 1",
            "     2: line 2",
            "-    3: line 3",
            "+    3: line three",
            "     4: line 4",
            "     5: line 5",
            "...",
            "     9: line 9",
            "    10: line 10",
            "-   11: line 11",
            "    11: line 12",
        ];
        Assert.Equal(string.Join("\n", lines) + "\n", diff.Replace("\r\n", "\n"));
    }

    /// <summary>The generator mirrors runtime enums by name (it references no runtime assembly); the names must agree.</summary>
    [Fact]
    public void Mirror_enums_have_the_runtime_enums_member_names()
    {
        Assert.Equal(Enum.GetNames<DeclFed.Graph.OptionKind>(), Enum.GetNames<Model.OptionValueKind>());
        Assert.Equal(Enum.GetNames<DeclFed.Records.FieldType>(), Enum.GetNames<Model.RecordStorage>());
    }
}
