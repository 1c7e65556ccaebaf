using System.Collections.Generic;
using System.Linq;
using System.Text;
using DeclFed.Generators.Model;

namespace DeclFed.Generators.Emit;

/// <summary>
/// The Mermaid <c>flowchart</c> of a pipeline: one node per step labelled with its name, output type and
/// options, and one edge per input labelled with the parameter name.
/// </summary>
internal static class MermaidWriter
{
    public static IReadOnlyList<string> Lines(PipelineSpec pipeline)
    {
        var lines = new List<string> { "flowchart TD" };
        foreach (var step in pipeline.Steps)
        {
            var label = new StringBuilder();
            label.Append(Escape(step.Name)).Append(": ").Append(Escape(step.OutputTypeDisplay));
            var declarative = step.Kind != "Step";
            if (declarative)
            {
                label.Append("<br/>[").Append(Escape(step.Kind)).Append(']');
            }
            // A declarative stage has dozens of settings: its options here are the ones its attribute writes.
            foreach (var option in step.Options)
            {
                label.Append("<br/>").Append(Escape(option.Name)).Append(": ").Append(Escape(option.TypeDisplay));
                if (option.IsRequired)
                {
                    label.Append(" (required)");
                }
                else
                {
                    label.Append(" = ").Append(option.DefaultValue switch
                    {
                        null => "null",
                        // Only a stage's list setting has an empty default text (an ordinary array option cannot have one).
                        { Length: 0 } when declarative => "(empty)",
                        var text => Escape(text),
                    });
                }
            }
            lines.Add($"    {NodeId(step.Name)}[\"{label}\"]");
        }
        foreach (var step in pipeline.Steps)
        {
            foreach (var input in step.Inputs)
            {
                lines.Add($"    {NodeId(input.Producer)} -->|{Escape(input.Parameter)}| {NodeId(step.Name)}");
            }
        }
        return lines;
    }

    // Words Mermaid reads as statements ("end" closes a subgraph, "class" styles nodes) cannot be node ids.
    private static readonly HashSet<string> Reserved = new(System.StringComparer.OrdinalIgnoreCase)
    {
        "end", "class", "classDef", "click", "call", "style", "linkStyle", "subgraph", "direction", "graph", "flowchart", "href", "default", "interpolate",
    };

    private static string NodeId(string stepName) => Reserved.Contains(stepName) ? stepName + "_step" : stepName;

    // Mermaid entity codes: '#' first so that the codes written for the others stay intact.
    private static string Escape(string text) => text
        .Replace("#", "#35;")
        .Replace("\"", "#quot;")
        .Replace("<", "#lt;")
        .Replace(">", "#gt;")
        .Replace("|", "#124;")
        .Replace("\r", " ")
        .Replace("\n", " ");
}
