namespace DeclFed.Stages;

/// <summary>
/// Marks the attribute class of a declarative stage and names the stage's runtime. The attribute class derives from the
/// stage's settings class (a <see cref="StageSettings"/>), so its named arguments are the settings; the generator learns
/// everything else from <paramref name="runtime"/>'s <c>RunAsync</c> method.
/// </summary>
/// <remarks>
/// <para>The runtime's contract: a static method
/// <c>RunAsync(StepContext context, TSettings settings, &lt;inputs…&gt;, CancellationToken cancellationToken)</c> returning
/// <c>ValueTask&lt;TArtifact&gt;</c> or <c>Task&lt;TArtifact&gt;</c>. The inputs between the settings and the token are the
/// stage's inputs, in order; an input with a default value (<c>Dataset&lt;Instruction&gt;? validation = null</c>) is optional.
/// The method may be generic over the inputs' type arguments (<c>RunAsync&lt;TRecord&gt;(…, Dataset&lt;TRecord&gt; input, …)</c>).</para>
/// <para>A method of a pipeline marked with the stage's attribute is a <c>partial</c> method without a body whose
/// parameters are a prefix of the inputs (all required ones) and whose return type is <c>TArtifact</c>; the generator writes
/// the executor call, the option descriptors and a standalone body. See <c>docs/authoring-stages.md</c>.</para>
/// </remarks>
/// <example>
/// <code>
/// [DeclarativeStage(typeof(FederatedLoraStage))]
/// [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
/// public sealed class FederatedLoraAttribute : FederatedLoraSettings
/// {
///     public string? Description { get; set; }
/// }
/// </code>
/// </example>
/// <param name="runtime">The static class whose <c>RunAsync</c> runs the stage.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DeclarativeStageAttribute(Type runtime) : Attribute
{
    /// <summary>The static class whose <c>RunAsync</c> runs the stage.</summary>
    public Type Runtime { get; } = runtime;
}
