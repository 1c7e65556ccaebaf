namespace DeclFed.Generators.Model;

/// <summary>How the executor calls a declarative stage's runtime: <c>Runtime.RunAsync(context, Settings.FromOptions(context), inputs…, token: ct)</c>.</summary>
/// <param name="Kind">The stage's kind (its attribute's name without <c>Attribute</c>).</param>
/// <param name="RuntimeTypeName">The runtime class in emitted code (<c>global::DeclFed.Federated.FederatedLoraStage</c>).</param>
/// <param name="SettingsTypeName">The settings class in emitted code (<c>global::DeclFed.Federated.FederatedLoraSettings</c>).</param>
/// <param name="Shape">Whether <c>RunAsync</c> returns a <c>Task&lt;T&gt;</c> or a <c>ValueTask&lt;T&gt;</c>.</param>
/// <param name="TokenParameter">The name of <c>RunAsync</c>'s cancellation-token parameter (passed by name, after any omitted optional input).</param>
internal sealed record StageCallSpec(string Kind, string RuntimeTypeName, string SettingsTypeName, ReturnShape Shape, string TokenParameter);

/// <summary>One setting an attribute writes, with its value.</summary>
/// <param name="Name">The setting's name.</param>
/// <param name="TypeDisplay">The setting's type as people read it (<c>int[]</c>, <c>Aggregation</c>).</param>
/// <param name="Value">The value.</param>
internal sealed record WrittenSetting(string Name, string TypeDisplay, SettingValue Value);

/// <summary>
/// An attribute argument's value, as values: its kind, and the invariant text of each element (one for a scalar; enum
/// members by name, or by number when no member has the value; <c>R</c> text for floating point).
/// </summary>
/// <param name="Kind">The value kind.</param>
/// <param name="IsNull">Whether the value is <c>null</c> (a text or a list).</param>
/// <param name="Items">The element texts; a null element of a text list is <c>null</c>.</param>
/// <param name="EnumTypeName">For an enum or enum member, the enum in emitted code; empty otherwise.</param>
internal sealed record SettingValue(OptionValueKind Kind, bool IsNull, EquatableArray<NullableText> Items, string EnumTypeName)
{
    /// <summary>Whether the kind is a list.</summary>
    public bool IsList => Kind is OptionValueKind.Int32Array or OptionValueKind.DoubleArray or OptionValueKind.StringArray;

    /// <summary>
    /// The value as option text, as an option's default holds it (<c>16,8,4</c>; null for null), written the way the runtime's
    /// <c>SettingText.Option</c> writes it.
    /// </summary>
    public string? OptionText => IsNull ? null : string.Join(",", System.Linq.Enumerable.Select(Items, i => i.Text ?? string.Empty));
}

/// <summary>A text that may be null, equatable for <see cref="EquatableArray{T}"/>.</summary>
internal readonly record struct NullableText(string? Text);

/// <summary>The implementing declarations the generator writes for the declarative stages of one pipeline class.</summary>
/// <param name="HintName">The hint name of the generated file.</param>
/// <param name="Namespace">The namespace of the pipeline class, empty for the global namespace.</param>
/// <param name="Containers">The partial type declarations from the outermost containing type in.</param>
/// <param name="Bodies">The stage methods, in declaration order.</param>
internal sealed record StageBodiesSpec(string HintName, string Namespace, EquatableArray<TypeDeclarationSpec> Containers, EquatableArray<StageBodySpec> Bodies);

/// <summary>A partial type declaration around generated members.</summary>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c> or <c>record struct</c>.</param>
/// <param name="Name">The type's name as an identifier.</param>
internal sealed record TypeDeclarationSpec(string Keyword, string Name);

/// <summary>A parameter of a generated method.</summary>
/// <param name="TypeName">The type in emitted code.</param>
/// <param name="Name">The name as an identifier.</param>
internal sealed record ParameterSpec(string TypeName, string Name);

/// <summary>
/// The implementing declaration of one stage's partial method: a standalone run of the stage with the attribute's values
/// (<c>StandaloneStepContext.Run</c>), for code that calls the method directly.
/// </summary>
/// <param name="Modifiers">The modifier keywords as the defining declaration writes them (<c>public</c>, <c>partial</c>).</param>
/// <param name="ReturnTypeName">The artifact type in emitted code.</param>
/// <param name="ReturnTypeDisplay">The artifact type as people read it.</param>
/// <param name="MethodName">The method's name (the step's name).</param>
/// <param name="Parameters">The method's parameters, which are the stage's inputs in order.</param>
/// <param name="Call">The stage runtime to call.</param>
/// <param name="Settings">The settings the attribute writes.</param>
internal sealed record StageBodySpec(
    EquatableArray<string> Modifiers,
    string ReturnTypeName,
    string ReturnTypeDisplay,
    string MethodName,
    EquatableArray<ParameterSpec> Parameters,
    StageCallSpec Call,
    EquatableArray<WrittenSetting> Settings);

/// <summary>
/// What the generator writes for a stage's settings class in the stage's own assembly: its options (names, kinds, defaults,
/// allowed values and the doc comments as descriptions) and how to read it back from a step's options.
/// </summary>
/// <param name="HintName">The hint name of the generated file.</param>
/// <param name="Namespace">The settings class's namespace, empty for the global namespace.</param>
/// <param name="Containers">The partial declarations from the outermost containing type to the settings class itself.</param>
/// <param name="SettingsTypeName">The settings class in emitted code.</param>
/// <param name="Settings">The settings, bases first, in declaration order.</param>
internal sealed record StageSettingsSpec(string HintName, string Namespace, EquatableArray<TypeDeclarationSpec> Containers, string SettingsTypeName, EquatableArray<SettingSpec> Settings);

/// <summary>One setting of a stage's settings class.</summary>
/// <param name="Name">The property (setting and option) name.</param>
/// <param name="Identifier">The property name as an identifier in C# source.</param>
/// <param name="Kind">The option kind.</param>
/// <param name="TypeDisplay">The type as people read it.</param>
/// <param name="ValueTypeName">The type handed to <c>GetOption&lt;T&gt;</c> (<c>string</c> for an enum).</param>
/// <param name="EnumTypeName">For an enum, the enum in emitted code; empty otherwise.</param>
/// <param name="EnumMembers">For an enum, its member names; empty otherwise.</param>
/// <param name="Description">The property's doc summary.</param>
internal sealed record SettingSpec(
    string Name,
    string Identifier,
    OptionValueKind Kind,
    string TypeDisplay,
    string ValueTypeName,
    string EnumTypeName,
    EquatableArray<string> EnumMembers,
    string Description);
