using DeclFed.Graph;

namespace DeclFed.Stages;

/// <summary>
/// What the generator writes for a stage's settings class in the stage's own assembly (from the settings' declarations and
/// doc comments): its options, and how to read the settings back from a step's validated options. Generated pipeline code
/// calls these; a stage author writes neither.
/// </summary>
/// <typeparam name="TSelf">The settings class.</typeparam>
public interface IStageSettings<TSelf>
    where TSelf : StageSettings, IStageSettings<TSelf>
{
    /// <summary>One option per setting, in declaration order, each with its kind, its default, its allowed values and its description.</summary>
    static abstract IReadOnlyList<OptionDescriptor> Options { get; }

    /// <summary>The settings the options hold (every setting read from <paramref name="options"/>).</summary>
    /// <param name="options">A step's validated options: enum settings come as member names, lists as arrays.</param>
    static abstract TSelf FromOptions(IOptionSource options);
}
