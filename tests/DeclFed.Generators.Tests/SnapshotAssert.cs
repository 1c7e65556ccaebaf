using System.Runtime.CompilerServices;
using System.Text;
using DeclFed.Testing;

namespace DeclFed.Generators.Tests;

/// <summary>
/// Compares generated source with <c>Snapshots/&lt;TestClass&gt;.&lt;Test&gt;[.&lt;Part&gt;].verified.cs</c>. On a mismatch it
/// writes the actual text beside it as <c>.received.cs</c> and fails with a line diff; with
/// <c>DECLFED_ACCEPT_SNAPSHOTS=1</c> it overwrites the verified file instead. The generator's version is scrubbed to <c>{version}</c>.
/// </summary>
internal static class SnapshotAssert
{
    public const string AcceptVariable = "DECLFED_ACCEPT_SNAPSHOTS";

    public static void Matches(string actual, string testClass, string? part = null, [CallerMemberName] string test = "")
    {
        var name = part is null ? $"{testClass}.{test}" : $"{testClass}.{test}.{part}";
        var directory = RepositoryPaths.Combine("tests", "DeclFed.Generators.Tests", "Snapshots");
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            WriteAtomically(verified, actual);
            File.Delete(received);
            return;
        }
        if (!File.Exists(verified))
        {
            WriteAtomically(received, actual);
            Assert.Fail($"No verified snapshot {verified}. Review {received} and accept it by running the tests with {AcceptVariable}=1.");
        }
        var expected = Normalize(File.ReadAllText(verified));
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        WriteAtomically(received, actual);
        Assert.Fail($"Generated source differs from {verified} (received: {received}; accept with {AcceptVariable}=1):\n{LineDiff.Format(expected, actual)}");
    }

    // The generator's version is scrubbed, so a version bump does not rewrite every snapshot (as Verify's scrubbers do).
    private static string Normalize(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text.Replace("\r\n", "\n"), "GeneratedCode\\(\"DeclFed\\.Generators\", \"[^\"]*\"\\)", "GeneratedCode(\"DeclFed.Generators\", \"{version}\")");

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>
/// A unified-style line diff (longest common subsequence) with a few lines of context around each change:
/// <c>-</c> marks a line only the verified file has (numbered as there), <c>+</c> one only the received text has.
/// </summary>
internal static class LineDiff
{
    public static string Format(string expected, string actual, int context = 2)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<(char Mark, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', y + 1, a[x])); x++; y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                lines.Add(('-', x + 1, a[x])); x++;
            }
            else
            {
                lines.Add(('+', y + 1, b[y])); y++;
            }
        }
        var output = new StringBuilder();
        var lastPrinted = -1;
        for (var k = 0; k < lines.Count; k++)
        {
            if (lines[k].Mark == ' ')
            {
                continue;
            }
            var start = Math.Max(lastPrinted + 1, k - context);
            if (lastPrinted >= 0 && start > lastPrinted + 1)
            {
                output.AppendLine("...");
            }
            for (var c = start; c <= Math.Min(lines.Count - 1, k + context); c++)
            {
                output.AppendLine($"{lines[c].Mark} {lines[c].Line,4}: {lines[c].Text}");
                lastPrinted = c;
            }
        }
        return output.ToString();
    }
}
