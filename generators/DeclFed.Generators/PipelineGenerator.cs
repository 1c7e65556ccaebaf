using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Emit;
using DeclFed.Generators.Model;
using DeclFed.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DeclFed.Generators;

/// <summary>
/// The DeclFed incremental generator. For every <c>[Pipeline]</c> class it checks the steps and emits the
/// typed pipeline definition and its DI entry point; for every record type a dataset holds it emits the
/// record schema. Parsing builds plain-value models; emitting and reporting read only those.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PipelineGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var pipelineResults = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.PipelineAttribute,
                static (node, _) => node is ClassDeclarationSyntax || node.IsKind(SyntaxKind.RecordDeclaration),
                static (syntax, cancellationToken) => PipelineParser.Parse(syntax, cancellationToken))
            .WithTrackingName(TrackingNames.PipelineResults);

        var pipelineDiagnostics = pipelineResults
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.PipelineDiagnostics);

        var pipelines = pipelineResults
            .Where(static result => result.Pipeline is not null)
            .Select(static (result, _) => result.Pipeline!)
            .WithTrackingName(TrackingNames.PipelineModels);

        var allPipelines = pipelines
            .Collect()
            // A class whose partial declarations each carry [Pipeline] (itself a compile error) is parsed once per declaration.
            .Select(static (models, _) => models
                .GroupBy(m => m.MetadataName, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderBy(m => m.MetadataName, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(TrackingNames.AllPipelines);

        var hasDependencyInjection = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(KnownTypes.ServiceCollection) is not null)
            .WithTrackingName(TrackingNames.DependencyInjection);

        var datasetRecords = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.DatasetRecordAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (syntax, _) => RecordParser.Parse(
                    (ITypeSymbol)syntax.TargetSymbol,
                    syntax.SemanticModel.Compilation,
                    KnownTypes.For(syntax.SemanticModel.Compilation),
                    LocationInfo.From(((TypeDeclarationSyntax)syntax.TargetNode).Identifier)))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.DatasetRecordResults);

        var allRecords = pipelineResults
            .Select(static (result, _) => result.Records)
            .Collect()
            .Combine(datasetRecords.Collect())
            .Select(static (pair, _) => MergeRecords(pair.Left.SelectMany(r => r).Concat(pair.Right)))
            .WithTrackingName(TrackingNames.AllRecords);

        context.RegisterSourceOutput(
            allPipelines.Combine(hasDependencyInjection),
            static (output, input) => EmitPipelines(output, input.Left, input.Right));

        context.RegisterSourceOutput(allRecords, static (output, records) => EmitRecords(output, records));

        var stageBodies = pipelineResults
            .Where(static result => result.StageBodies is not null)
            .Select(static (result, _) => result.StageBodies!)
            .Collect()
            // Like the pipelines: a class parsed once per declaration carrying [Pipeline] gets its bodies once.
            .Select(static (bodies, _) => bodies
                .GroupBy(b => b.HintName, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderBy(b => b.HintName, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(TrackingNames.StageBodies);

        context.RegisterSourceOutput(stageBodies, static (output, bodies) =>
        {
            foreach (var spec in bodies)
            {
                output.CancellationToken.ThrowIfCancellationRequested();
                output.AddSource(spec.HintName, SourceText.From(StageBodyEmitter.Emit(spec), Encoding.UTF8));
            }
        });

        // In a stage's own assembly: the generated half of each stage's settings class (its options and FromOptions).
        var stageSettings = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.DeclarativeStageAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, cancellationToken) => StageSettingsParser.Parse(syntax, cancellationToken))
            .WithTrackingName(TrackingNames.StageSettingsResults);

        context.RegisterSourceOutput(
            stageSettings.Where(static result => result.Settings is not null).Select(static (result, _) => result.Settings!),
            static (output, spec) => output.AddSource(spec.HintName, SourceText.From(StageSettingsEmitter.Emit(spec), Encoding.UTF8)));

        // Diagnostics are turned back into Locations only here, against the current compilation's trees.
        context.RegisterSourceOutput(
            pipelineDiagnostics.Collect()
                .Combine(stageSettings.Select(static (result, _) => result.Diagnostics).Collect())
                .Combine(allRecords)
                .Combine(context.CompilationProvider),
            static (output, input) =>
            {
                var reported = new HashSet<DiagnosticInfo>();
                var all = input.Left.Left.Left.SelectMany(d => d)
                    .Concat(input.Left.Left.Right.SelectMany(d => d))
                    .Concat(input.Left.Right.SelectMany(r => r.Diagnostics));
                foreach (var diagnostic in all)
                {
                    if (reported.Add(diagnostic))
                    {
                        output.ReportDiagnostic(diagnostic.ToDiagnostic(input.Right));
                    }
                }
            });
    }

    /// <summary>One result a record type, ordered by name; the first parse of a type wins (they are all alike).</summary>
    private static EquatableArray<RecordParseResult> MergeRecords(IEnumerable<RecordParseResult> results)
    {
        var byKey = new Dictionary<string, RecordParseResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (!byKey.ContainsKey(result.Key))
            {
                byKey.Add(result.Key, result);
            }
        }
        return byKey.Values.OrderBy(r => r.Key, StringComparer.Ordinal).ToEquatableArray();
    }

    private static void EmitPipelines(SourceProductionContext output, EquatableArray<PipelineSpec> pipelines, bool withDependencyInjection)
    {
        // Two pipelines of the same class name in different namespaces would get the same Add{Name}Pipeline
        // extension class; those take their namespace into the name instead.
        var clashing = new HashSet<string>(pipelines.GroupBy(p => p.BaseName).Where(g => g.Count() > 1).Select(g => g.Key));
        foreach (var pipeline in pipelines)
        {
            output.CancellationToken.ThrowIfCancellationRequested();
            var stem = clashing.Contains(pipeline.BaseName) ? pipeline.Namespace.Replace(".", string.Empty).Replace("@", string.Empty) + pipeline.BaseName : pipeline.BaseName;
            var source = PipelineEmitter.Emit(pipeline, "Add" + stem + "Pipeline", withDependencyInjection);
            output.AddSource(pipeline.HintName, SourceText.From(source, Encoding.UTF8));
        }
    }

    private static void EmitRecords(SourceProductionContext output, EquatableArray<RecordParseResult> results)
    {
        var records = results.Where(r => r.Record is not null).Select(r => r.Record!).ToEquatableArray();
        if (!records.IsEmpty)
        {
            output.AddSource(RecordSchemaEmitter.HintName, SourceText.From(RecordSchemaEmitter.Emit(records), Encoding.UTF8));
        }
    }
}
