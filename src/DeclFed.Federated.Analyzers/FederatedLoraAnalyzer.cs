using DeclFed.Stages.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DeclFed.Federated.Analyzers;

/// <summary>Reports impossible <c>[FederatedLora]</c> settings at build time (DF0026, DF0028–DF0034), with the stage's own rules.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FederatedLoraAnalyzer() : StageSettingsAnalyzer<FederatedLoraSettings>("DeclFed.FederatedLoraAttribute");
