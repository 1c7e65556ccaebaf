using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Simulation;
using DeclFed.Tensors.Model;

namespace DeclFed.Federated.Tests.Simulation;

public sealed class LoraAdapterBridgeTests
{
    private static readonly LlamaConfig Model = new()
    {
        VocabSize = 64, HiddenSize = 32, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2, IntermediateSize = 48, MaxPositions = 32,
    };

    [Fact]
    public void The_federated_and_the_tensor_PEFT_initialisations_give_the_same_values()
    {
        string[] targets = ["q_proj", "v_proj", "down_proj"];
        var federated = LoraInitialization.Peft(LoraAdapterBridge.Layout(Model, targets), rank: 4, alpha: 8f, seed: 77);
        var tensor = new LoraAdapter(Model, new LoraConfig { Rank = 4, Alpha = 8f, TargetModules = targets }, seed: 77);

        var converted = LoraAdapterBridge.ToAdapterUpdate(tensor);
        Assert.Equal(federated.Select(m => m.Name), converted.Select(m => m.Name));
        foreach (var (expected, actual) in federated.Zip(converted))
        {
            Assert.Equal(expected.A, actual.A);
            Assert.Equal(expected.B, actual.B);
            Assert.Contains(expected.A, v => v != 0f);
        }
    }

    [Fact]
    public void An_update_round_trips_through_a_tensor_adapter()
    {
        string[] targets = ["k_proj", "up_proj"];
        var update = LoraInitialization.Peft(LoraAdapterBridge.Layout(Model, targets), rank: 3, alpha: 6f, seed: 5);
        foreach (var module in update)
        {
            for (var i = 0; i < module.B.Length; i++)
            {
                module.B[i] = i * 0.01f - 0.2f;
            }
        }

        var back = LoraAdapterBridge.ToAdapterUpdate(LoraAdapterBridge.ToLoraAdapter(update, Model, targets));

        foreach (var (expected, actual) in update.Zip(back))
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal((expected.Rank, expected.Alpha), (actual.Rank, actual.Alpha));
            Assert.Equal(expected.A, actual.A);
            Assert.Equal(expected.B, actual.B);
        }
    }
}
