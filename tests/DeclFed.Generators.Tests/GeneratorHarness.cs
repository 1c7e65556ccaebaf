using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using DeclFed.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DeclFed.Generators.Tests;

/// <summary>Compiles test sources in memory against the real DeclFed runtime and runs the generator over them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> AllReferences = new(() =>
    {
        // The test process's platform assemblies plus the DeclFed runtime assemblies and DI abstractions (referenced by this project).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(PipelineAttribute).Assembly.Location);
        paths.AddRange(Directory.GetFiles(AppContext.BaseDirectory, "DeclFed.*.dll"));
        paths.Add(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location);
        // Not the generator, and not the stage analyzers: they hold their own copies of the stage settings types.
        return [.. paths
            .Where(p => p.Length > 0 && !Path.GetFileName(p).StartsWith("DeclFed.Generators", StringComparison.Ordinal) && !p.EndsWith(".Analyzers.dll", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private static readonly Lazy<ImmutableArray<MetadataReference>> WithoutDependencyInjection = new(() =>
        [.. AllReferences.Value.Where(r => !Path.GetFileName(r.Display ?? string.Empty).StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal))]);

    /// <summary>A compilation of <paramref name="sources"/> (files <c>Source0.cs</c>, <c>Source1.cs</c>, …).</summary>
    public static CSharpCompilation Compile(IEnumerable<string> sources, bool withDependencyInjection = true, string assemblyName = "PipelineUnderTest") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(SourceText.From(text, System.Text.Encoding.UTF8), ParseOptions, $"Source{i}.cs")),
            withDependencyInjection ? AllReferences.Value : WithoutDependencyInjection.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new PipelineGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    /// <summary>
    /// Runs the generator over <paramref name="compilation"/>, then again over a clone of it, and checks (as NetEscapades'
    /// tests do) that the second run served every tracked step from the cache and wrote the same sources: a step whose model
    /// is not equatable, or that holds a Roslyn object, fails here in every test that reaches it.
    /// </summary>
    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var first = driver.GetRunResult();
        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        AssertCachedRerun(first.Results.Single(), second);
        return new GeneratorRun(compilation, output, first);
    }

    /// <summary>The names of the generator's tracked steps.</summary>
    public static IReadOnlyList<string> TrackedNames { get; } = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    /// <summary>Fails unless <paramref name="after"/> wrote what <paramref name="before"/> wrote with every tracked step cached or unchanged.</summary>
    public static void AssertCachedRerun(GeneratorRunResult before, GeneratorRunResult after)
    {
        Assert.Null(after.Exception);
        Assert.Equal(before.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())), after.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
        foreach (var (name, steps) in after.TrackedSteps.Where(pair => TrackedNames.Contains(pair.Key)))
        {
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step '{name}' was {output.Reason} when the generator ran again over the same code.");
            }
        }
    }

    /// <summary>The diagnostics of <paramref name="analyzers"/> over the compilation the generator produced.</summary>
    public static IReadOnlyList<Diagnostic> Analyze(Compilation compilation, params DiagnosticAnalyzer[] analyzers) =>
        compilation.WithAnalyzers([.. analyzers]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(CSharpCompilation Input, Compilation Output, GeneratorDriverRunResult Result)
{
    public GeneratorRunResult Generator => Result.Results.Single();

    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Generator.Diagnostics;

    public IEnumerable<string> HintNames => Generator.GeneratedSources.Select(s => s.HintName);

    public string Source(string hintName) =>
        Generator.GeneratedSources.SingleOrDefault(s => s.HintName == hintName).SourceText?.ToString()
        ?? throw new Xunit.Sdk.XunitException($"No generated source '{hintName}'; generated: {string.Join(", ", HintNames)}.");

    /// <summary>Errors and warnings of the compilation including generated code (the generator's own diagnostics excluded).</summary>
    public IReadOnlyList<Diagnostic> CompilerProblems() =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Fails unless the generator threw nothing and the user code plus generated code compile cleanly.</summary>
    public GeneratorRun ShouldCompileCleanly()
    {
        Assert.Null(Generator.Exception);
        var problems = CompilerProblems().Concat(GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)).ToList();
        Assert.True(problems.Count == 0, "Expected a clean compilation, got:\n" + string.Join("\n", problems));
        return this;
    }

    /// <summary>Emits the compiled assembly and loads it into a collectible context (DeclFed itself comes from the test's context).</summary>
    public LoadedAssembly Load()
    {
        using var image = new MemoryStream();
        var emitted = Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        var context = new AssemblyLoadContext("DeclFed.Generators.Tests." + Guid.NewGuid().ToString("N"), isCollectible: true);
        return new LoadedAssembly(context, context.LoadFromStream(image));
    }
}

/// <summary>An assembly compiled by a test, unloaded when disposed.</summary>
internal sealed class LoadedAssembly(AssemblyLoadContext context, Assembly assembly) : IDisposable
{
    public Assembly Assembly { get; } = assembly;

    public Type Type(string fullName) => Assembly.GetType(fullName, throwOnError: true)!;

    public object? CallStatic(string typeName, string method, params object?[] arguments) =>
        Type(typeName).GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, arguments);

    public void Dispose() => context.Unload();
}
