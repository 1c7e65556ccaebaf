namespace DeclFed.Stages;

/// <summary>
/// A rule a stage's settings must follow, with the stable diagnostic ID the stage's analyzer reports it under at build time
/// (<c>DF0028</c>, or a prefix of the stage author's own) and a one-line title. Declare a stage's rules as
/// <c>public static readonly SettingRule</c> fields of its settings class: the analyzer finds them there.
/// </summary>
/// <param name="Id">The diagnostic ID, stable across releases (never reuse one).</param>
/// <param name="Title">The title the IDE shows next to the ID.</param>
public sealed record SettingRule(string Id, string Title)
{
    /// <summary>A number outside its declared range, an empty list or text that must not be empty, a null list.</summary>
    public static readonly SettingRule OutOfRange = new("DF0033", "Stage setting out of range");

    /// <summary>A value that is not among the allowed ones (a text not listed by <see cref="OneOfAttribute"/>, an undefined enum member).</summary>
    public static readonly SettingRule NotAllowed = new("DF0029", "Stage setting value not allowed");

    /// <summary>A list that names a value more than once where <see cref="DistinctAttribute"/> asks for each once.</summary>
    public static readonly SettingRule Repeated = new("DF0030", "Stage setting lists a value more than once");
}
