using System.Linq;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Diagnostics;

/// <summary>A diagnostic as plain values, carried through the incremental pipeline and turned into a <see cref="Diagnostic"/> when reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArguments) =>
        new(descriptor, location, new EquatableArray<string>(messageArguments));

    /// <summary>
    /// Makes the reportable diagnostic. The location is rebuilt on the syntax tree of the current compilation
    /// when there is one, so that <c>#pragma warning disable</c> applies to it.
    /// </summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        Microsoft.CodeAnalysis.Location location = Microsoft.CodeAnalysis.Location.None;
        if (Location is { } info)
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.FilePath && t.Length >= info.Span.End);
            location = tree is not null
                ? Microsoft.CodeAnalysis.Location.Create(tree, info.Span)
                : Microsoft.CodeAnalysis.Location.Create(info.FilePath, info.Span, info.LineSpan);
        }
        return Diagnostic.Create(Descriptor, location, MessageArguments.Cast<object>().ToArray());
    }
}
