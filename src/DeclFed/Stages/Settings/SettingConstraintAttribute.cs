using System;

namespace DeclFed.Stages;

/// <summary>
/// A constraint on one setting, declared on the property of a stage's settings class. <see cref="StageSettings.Validate"/>
/// checks it at run time (after configuration overrides) and the stage's analyzer at build time (on the attribute's
/// arguments), with the same code. Derive from it for a constraint of your own.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public abstract class SettingConstraintAttribute : Attribute
{
    /// <summary>Why the constraint holds, in the stage's own words (<c>at least one round is needed</c>); replaces the generic explanation.</summary>
    public string? Why { get; set; }

    /// <summary>Reports every way <paramref name="value"/> breaks the constraint.</summary>
    /// <param name="setting">The setting's name.</param>
    /// <param name="value">The setting's value: a number, text, enum member, or an array of these (never null: a null setting
    /// that has constraints is reported once, by <see cref="StageSettings.Validate"/>).</param>
    /// <param name="problems">Where problems go.</param>
    public abstract void Check(string setting, object? value, SettingProblems problems);
}
