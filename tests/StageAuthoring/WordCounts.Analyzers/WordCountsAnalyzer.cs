using DeclFed.Stages.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WordCountStage.Analyzers;

/// <summary>Reports impossible <c>[WordCounts]</c> settings at build time, with the stage's own rules.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WordCountsAnalyzer() : StageSettingsAnalyzer<WordCountSettings>("WordCountStage.WordCountsAttribute");
