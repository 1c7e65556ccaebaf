namespace DeclFed.Generators.Model;

/// <summary>How the executor calls the federated runtime for a <c>[FederatedLoRA]</c> step.</summary>
/// <param name="Settings">Every setting, read from the step's options into a <c>FederatedLoraSettings</c>.</param>
/// <param name="HasValidation">Whether the method takes a validation dataset (its third input).</param>
internal sealed record FederatedCallSpec(EquatableArray<FederatedOptionRead> Settings, bool HasValidation);

/// <summary>One setting as the executor reads it: <c>Name = context.GetOption&lt;ValueTypeName&gt;("Name")</c>.</summary>
/// <param name="Name">The setting, option and property name.</param>
/// <param name="ValueTypeName">The type handed to <c>GetOption&lt;T&gt;</c> (<c>string</c> for an enum).</param>
/// <param name="EnumTypeName">For an enum setting, the enum type the member name is parsed into; empty otherwise.</param>
internal sealed record FederatedOptionRead(string Name, string ValueTypeName, string EnumTypeName);

/// <summary>The implementing declarations the generator writes for the declarative stages of one pipeline class.</summary>
/// <param name="HintName">The hint name of the generated file.</param>
/// <param name="Namespace">The namespace of the pipeline class, empty for the global namespace.</param>
/// <param name="TypeDeclarations">The partial type declarations from the outermost containing type in (<c>partial class Quickstart</c>).</param>
/// <param name="Bodies">The stage methods, in declaration order.</param>
internal sealed record StageBodiesSpec(string HintName, string Namespace, EquatableArray<string> TypeDeclarations, EquatableArray<StageBodySpec> Bodies);

/// <summary>
/// The implementing declaration of one <c>[FederatedLoRA]</c> partial method: a standalone run with the attribute's values.
/// </summary>
/// <param name="Modifiers">The modifiers as the defining declaration writes them (<c>public partial</c>).</param>
/// <param name="ReturnType">The return type in emitted code.</param>
/// <param name="MethodName">The method name as an identifier.</param>
/// <param name="Parameters">The parameters as declarations (<c>global::DeclFed.Models.LanguageModel @base</c>).</param>
/// <param name="Arguments">The parameter names as the call passes them (<c>@base</c>, <c>train</c>), validation last when present.</param>
/// <param name="Assignments">The settings written in the attribute, as object-initializer assignments (<c>Rounds = 20</c>).</param>
internal sealed record StageBodySpec(
    string Modifiers,
    string ReturnType,
    string MethodName,
    EquatableArray<string> Parameters,
    EquatableArray<string> Arguments,
    EquatableArray<string> Assignments);
