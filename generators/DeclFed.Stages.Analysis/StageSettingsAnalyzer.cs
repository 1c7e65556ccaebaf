using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DeclFed.Stages.Analysis;

/// <summary>
/// The build-time check of a stage's settings, shipped with the stage: for every use of the stage's attribute it builds the
/// stage's own settings class from the attribute's arguments and runs <see cref="StageSettings.Validate"/> — the declared
/// constraints and the stage's rules, the same code the runtime runs after configuration overrides — and reports each
/// problem under its rule's ID, at the argument that wrote the setting (the offending element of a list; else the first
/// written related setting; else the attribute).
/// </summary>
/// <typeparam name="TSettings">The stage's settings class, compiled into the analyzer from the stage's own source file.</typeparam>
/// <example>
/// <code>
/// [DiagnosticAnalyzer(LanguageNames.CSharp)]
/// public sealed class FederatedLoraAnalyzer() : StageSettingsAnalyzer&lt;FederatedLoraSettings&gt;("DeclFed.FederatedLoraAttribute");
/// </code>
/// </example>
public abstract class StageSettingsAnalyzer<TSettings> : DiagnosticAnalyzer
    where TSettings : StageSettings, new()
{
    /// <summary>The diagnostic property that names the setting a problem is about.</summary>
    public const string SettingProperty = "Setting";

    private readonly string _attributeMetadataName;
    private readonly Dictionary<string, DiagnosticDescriptor> _descriptors;

    /// <summary>Checks the uses of the attribute whose metadata name is <paramref name="attributeMetadataName"/>.</summary>
    /// <param name="attributeMetadataName">The stage attribute's metadata name (<c>DeclFed.FederatedLoraAttribute</c>).</param>
    protected StageSettingsAnalyzer(string attributeMetadataName)
    {
        _attributeMetadataName = attributeMetadataName;
        var rules = new[] { SettingRule.OutOfRange, SettingRule.NotAllowed, SettingRule.Repeated }
            .Concat(typeof(TSettings).GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)
                .Where(f => f.FieldType == typeof(SettingRule))
                .Select(f => (SettingRule)f.GetValue(null)!));
        _descriptors = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            _descriptors[rule.Id] = new DiagnosticDescriptor(rule.Id, rule.Title, "{0}", "DeclFed", DiagnosticSeverity.Error, isEnabledByDefault: true);
        }
    }

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _descriptors.Values.ToImmutableArray();

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(_attributeMetadataName) is { } attribute)
            {
                // By the attribute's syntax: a symbol action would miss a partial method whose implementing part is generated.
                start.RegisterSyntaxNodeAction(node => Analyze(node, attribute), SyntaxKind.Attribute);
            }
        });
    }

    private void Analyze(SyntaxNodeAnalysisContext context, INamedTypeSymbol attribute)
    {
        var syntax = (AttributeSyntax)context.Node;
        if (context.SemanticModel.GetSymbolInfo(syntax, context.CancellationToken).Symbol is not IMethodSymbol { ContainingType: var type }
            || !SymbolEqualityComparer.Default.Equals(type, attribute)
            || syntax.Parent?.Parent is not { } owner
            || context.SemanticModel.GetDeclaredSymbol(owner, context.CancellationToken) is not { } symbol)
        {
            return;
        }
        var data = symbol.GetAttributes().FirstOrDefault(a => a.ApplicationSyntaxReference?.Span == syntax.Span && a.ApplicationSyntaxReference.SyntaxTree == syntax.SyntaxTree);
        if (data is null || AttributeSettings.Read<TSettings>(data, syntax) is not { } settings)
        {
            return;
        }
        IReadOnlyList<SettingProblem> problems;
        try
        {
            problems = settings.Validate();
        }
        catch (Exception)
        {
            // A rule that cannot cope with these values reports nothing here; the runtime validates them again.
            return;
        }
        foreach (var problem in problems)
        {
            var descriptor = _descriptors.TryGetValue(problem.Rule.Id, out var known) ? known : _descriptors[SettingRule.OutOfRange.Id];
            var properties = ImmutableDictionary<string, string?>.Empty.Add(SettingProperty, problem.Setting);
            context.ReportDiagnostic(Diagnostic.Create(descriptor, AttributeSettings.LocationOf(syntax, problem), properties, problem.Message));
        }
    }
}
