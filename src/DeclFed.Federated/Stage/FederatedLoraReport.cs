using System.Globalization;
using System.Text;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Partitioning;
using DeclFed.Federated.Simulation;
using DeclFed.Models;

namespace DeclFed.Federated;

/// <summary>The Markdown report of a federated LoRA stage: settings, partition, rounds, communication and rejections.</summary>
internal static class FederatedLoraReport
{
    public static string Write(string stage, FederatedLoraSettings settings, LanguageModel @base, DataPartition partition,
        IReadOnlyList<ClientProfile> profiles, int droppedRecords, SimulationResult result, ulong seed)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        Line($"# {stage}: federated LoRA with {settings.Aggregation}");
        text.AppendLine();
        Line($"Base model: {@base.ParameterCount:N0} parameters ({@base.Config.NumLayers} layers, width {@base.Config.HiddenSize}). Seed {seed}.");
        if (result.ResumedFromRound > 0)
        {
            Line($"This run resumed from its checkpoint after round {result.ResumedFromRound}.");
        }
        text.AppendLine();
        text.AppendLine("| setting | value |");
        text.AppendLine("|---|---|");
        Line($"| rounds | {settings.Rounds} |");
        Line($"| clients | {settings.Clients} |");
        Line($"| clients per round | {(settings.ClientFraction > 0 ? string.Create(CultureInfo.InvariantCulture, $"{settings.ClientFraction:P0} (at least {settings.MinClientsPerRound})") : settings.ClientsPerRound.ToString(CultureInfo.InvariantCulture))} |");
        Line($"| ranks | {RankSummary(profiles)} |");
        Line($"| LoRA scaling α/r | {settings.LoraScaling:G4} on {string.Join(", ", settings.TargetModules)} |");
        Line($"| local training | {settings.LocalSteps} steps × {settings.BatchSize} sequences of ≤ {settings.SequenceLength} tokens, learning rate {settings.LearningRate:G4}{(settings.IsZerothOrder ? $", zeroth-order (ε = {settings.ZerothOrderEpsilon:G3})" : ", AdamW")} |");
        if (settings.Aggregation is DeclFed.Aggregation.FedKSeed or DeclFed.Aggregation.FedKSeedPro)
        {
            Line($"| seeds | K = {settings.Seeds} |");
        }
        else
        {
            Line($"| server | {settings.ServerOptimizer}, η = {settings.ServerLearningRate:G4}; FedHyper: {settings.FedHyper} |");
        }
        text.AppendLine();

        text.AppendLine("## Data");
        text.AppendLine();
        Line($"{partition.Method}: {partition.Statistics.Summary()}.");
        if (droppedRecords > 0)
        {
            Line($"{droppedRecords} records were left out: no response token fits in {settings.SequenceLength} tokens.");
        }
        text.AppendLine();
        text.AppendLine("```");
        text.Append(partition.Statistics.Format());
        text.AppendLine("```");
        text.AppendLine();

        text.AppendLine("## Rounds");
        text.AppendLine();
        text.AppendLine("| round | sampled | accepted | rejected | training loss | validation loss | down | up | server LR × | seconds |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var round in result.Rounds)
        {
            var validation = round.ValidationLoss is { } loss ? loss.ToString("0.0000", CultureInfo.InvariantCulture) : "";
            Line($"| {round.Round + 1} | {round.Sampled.Count} | {round.Accepted.Count} | {round.Rejected.Count} | {round.MeanTrainingLoss:0.0000} | {validation} | {CommunicationLedger.FormatBytes(round.BytesDown)} | {CommunicationLedger.FormatBytes(round.BytesUp)} | {round.ServerMultiplier:0.###} | {round.Seconds:0.0} |");
        }
        if (result.FinalValidationLoss is { } final)
        {
            text.AppendLine();
            Line($"Final validation loss of the global model: {final:0.0000} nats per response token.");
        }
        text.AppendLine();

        text.AppendLine("## Communication");
        text.AppendLine();
        var down = result.Ledger.Total(TransferDirection.Down);
        var up = result.Ledger.Total(TransferDirection.Up);
        var transfers = result.Rounds.Sum(r => r.Sampled.Count);
        var perClient = transfers > 0
            ? $" (per client and round: down {CommunicationLedger.FormatBytes(down / transfers)}, up {CommunicationLedger.FormatBytes(up / transfers)})."
            : ".";
        Line($"Down {CommunicationLedger.FormatBytes(down)}, up {CommunicationLedger.FormatBytes(up)} over {result.Rounds.Count} rounds and {transfers} client trainings{perClient}");
        text.AppendLine();

        var rejected = result.Rounds.SelectMany(r => r.Rejected.Select(x => (r.Round, Rejection: x))).ToArray();
        text.AppendLine("## Rejected updates and failed clients");
        text.AppendLine();
        if (rejected.Length == 0)
        {
            text.AppendLine("None: every update was accepted.");
        }
        else
        {
            Line($"{rejected.Length} in total: {string.Join(", ", result.Rejections.Where(p => p.Value > 0).Select(p => $"{p.Value} {p.Key}"))}.");
            text.AppendLine();
            text.AppendLine("| round | client | kind | reason |");
            text.AppendLine("|---:|---:|---|---|");
            foreach (var (round, rejection) in rejected)
            {
                Line($"| {round + 1} | {rejection.ClientId} | {rejection.Kind} | {rejection.Reason.Replace('|', '/')} |");
            }
        }
        return text.ToString();
    }

    private static string RankSummary(IReadOnlyList<ClientProfile> profiles)
    {
        var groups = profiles.GroupBy(p => p.Rank).OrderByDescending(g => g.Key).ToArray();
        return groups.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{groups[0].Key} for every client")
            : string.Join(", ", groups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} × {g.Count()} clients")));
    }
}
