using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using DeclFed.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
        paths.AddRange(Directory.GetFiles(AppContext.BaseDirectory, "DeclFed.*.dll")
            .Where(p => !Path.GetFileName(p).StartsWith("DeclFed.Generators", StringComparison.Ordinal)));
        paths.Add(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location);
        return [.. paths.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
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

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun(compilation, output, driver.GetRunResult());
    }
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
