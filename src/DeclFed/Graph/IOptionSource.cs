namespace DeclFed.Graph;

/// <summary>Where a step's validated option values come from: a running step's <see cref="StepContext"/>, or the host's bound configuration.</summary>
public interface IOptionSource
{
    /// <summary>
    /// The validated value of option <paramref name="name"/>: <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>,
    /// <see cref="long"/>, <see cref="float"/>, <see cref="double"/>, <c>int[]</c>, <c>double[]</c> or <c>string[]</c>
    /// according to its <see cref="OptionKind"/>; enum options are returned as the member name.
    /// </summary>
    T GetOption<T>(string name);
}
