using DeclFed.Federated;
using DeclFed.Stages;

namespace DeclFed;

/// <summary>
/// Declares a federated LoRA fine-tuning stage on a <c>partial</c> method whose inputs are a base <c>LanguageModel</c> and a
/// <c>Dataset&lt;Instruction&gt;</c> of training records (optionally a second dataset of validation records) and whose output is a
/// <c>LoraModel</c>. The named arguments are the settings of <see cref="FederatedLoraSettings"/>; the generator writes the
/// body, every setting is also an option of the step (<c>--Step:Rounds=5</c>), the stage's analyzer reports impossible
/// settings at build time and the same rules are checked again at start-up.
/// </summary>
/// <example>
/// <code>
/// [FederatedLora(Rounds = 20, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.FLoRA,
///                Ranks = new[] { 16, 8, 4 }, Partition = Partition.Dirichlet, Alpha = 0.5)]
/// public partial LoraModel Finetune(LanguageModel @base, Dataset&lt;Instruction&gt; train);
/// </code>
/// </example>
[DeclarativeStage(typeof(FederatedLoraStage))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FederatedLoraAttribute : FederatedLoraSettings
{
    /// <summary>A one-line description shown by the <c>describe</c> verb (the method's doc summary when not set).</summary>
    public string? Description { get; set; }
}
