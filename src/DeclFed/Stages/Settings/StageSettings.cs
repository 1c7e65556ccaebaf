using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
#if NET
using System.Diagnostics.CodeAnalysis;
#endif

namespace DeclFed.Stages;

/// <summary>
/// The base of a declarative stage's settings. A stage declares each setting once, as a property of its settings class —
/// name, type, default (the initializer), documentation (the XML comment) and constraints (<see cref="MinimumAttribute"/>,
/// <see cref="OneOfAttribute"/>, …) — and its cross-setting rules once, in <see cref="CheckRules"/>. The stage's attribute
/// derives from its settings class, so the attribute's named arguments are the settings; the generator, the stage's
/// analyzer (build time) and <see cref="Validate"/> (run time, after configuration overrides) all read that one declaration.
/// </summary>
/// <remarks>
/// A setting is a public instance property with a public <c>set</c> or <c>init</c> accessor, declared on the settings
/// class or a base between it and <see cref="StageSettings"/>, of type <see cref="string"/>, <see cref="bool"/>,
/// <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/>, an enum, <c>int[]</c>, <c>double[]</c>
/// or <c>string[]</c>. Get-only properties are derived values, not settings. This file is also compiled into stage
/// analyzers, so it uses nothing beyond .NET Standard 2.0.
/// </remarks>
#if NET
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
#endif
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public abstract class StageSettings : Attribute
{
    /// <summary>
    /// Every problem of these settings: each setting's declared constraints (a list setting must not be null and an enum
    /// setting must name a member, too), then the stage's rules.
    /// </summary>
    public IReadOnlyList<SettingProblem> Validate()
    {
        var problems = new SettingProblems();
        foreach (var property in Settings(GetType()))
        {
            var value = property.GetValue(this);
            var constraints = property.GetCustomAttributes(typeof(SettingConstraintAttribute), inherit: true).Cast<SettingConstraintAttribute>().ToList();
            if (value is null)
            {
                // A list is never null (empty means none); a text may be, unless it is constrained.
                if (property.PropertyType.IsArray || constraints.Count > 0)
                {
                    problems.Add(SettingRule.OutOfRange, property.Name, $"{property.Name} = null: {NullHint(property.PropertyType, constraints)}");
                }
                continue;
            }
            if (value is Enum member && !Enum.IsDefined(property.PropertyType, member))
            {
                problems.Add(SettingRule.NotAllowed, property.Name,
                    $"{property.Name} = {SettingText.Display(member)} is not a member of {property.PropertyType.Name}; use one of {string.Join(", ", Enum.GetNames(property.PropertyType))}");
            }
            foreach (var constraint in constraints)
            {
                constraint.Check(property.Name, value, problems);
            }
        }
        CheckRules(problems);
        return problems;
    }

    /// <summary>
    /// The stage's rules across settings (<c>ClientsPerRound</c> at most <c>Clients</c>, …), written once here and checked by
    /// <see cref="Validate"/> at run time and by the stage's analyzer at build time. Report each problem under one of the
    /// stage's <see cref="SettingRule"/>s, naming the setting at fault and the settings it involves. Values may break their
    /// declared constraints here (lists may be null): those are reported already, so a rule only guards against them.
    /// </summary>
    protected virtual void CheckRules(SettingProblems problems)
    {
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem, listing all of them.</summary>
    /// <param name="stage">The stage's name, for the message.</param>
    /// <exception cref="ArgumentException">At least one setting cannot work.</exception>
    public void EnsureValid(string stage)
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            // "\n" rather than Environment.NewLine: this file is compiled into analyzers too, which may not read the environment.
            throw new ArgumentException($"{stage}: {problems.Count} setting(s) cannot work:\n" + string.Join("\n", problems.Select(p => "  " + p.Message)));
        }
    }

    private static string NullHint(Type type, IReadOnlyList<SettingConstraintAttribute> constraints) =>
        constraints.OfType<NotEmptyAttribute>().FirstOrDefault()?.Why
        ?? (constraints.OfType<OneOfAttribute>().FirstOrDefault() is { } oneOf ? $"use {(type.IsArray ? "some" : "one")} of {string.Join(", ", oneOf.Values)}" : null)
        ?? (type.IsArray ? "give a list (an empty one for none)" : "give a value");

    /// <summary>The settings of <paramref name="type"/>: bases first, each type's in declaration order.</summary>
    public static IReadOnlyList<PropertyInfo> Settings(
#if NET
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
#endif
        Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetSetMethod() is not null && p.GetIndexParameters().Length == 0 && IsSettingsType(p.DeclaringType))
            .OrderBy(p => Depth(p.DeclaringType!))
            .ThenBy(p => p.MetadataToken)
            .ToList();

    private static bool IsSettingsType(Type? type) =>
        type is not null && type != typeof(StageSettings) && typeof(StageSettings).IsAssignableFrom(type);

    private static int Depth(Type type)
    {
        var depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            depth++;
        }
        return depth;
    }
}
