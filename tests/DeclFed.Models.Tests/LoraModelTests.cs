using DeclFed.Data;
using DeclFed.Tensors;
using DeclFed.Tensors.Model;

namespace DeclFed.Models.Tests;

public sealed class LoraModelTests : IClassFixture<TinyBase>, IDisposable
{
    private const string QProj = "model.layers.1.self_attn.q_proj.weight";

    private readonly LanguageModel _base;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "declfed-models-tests", Guid.NewGuid().ToString("N"));

    public LoraModelTests(TinyBase tiny) => _base = tiny.Model;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static FineTuningRecord Record(double? loss = 1.25) =>
        new("FLoRA", 3, 8, [4, 8], ["q_proj", "v_proj"], loss, 123_456, 7_890, 2, ulong.MaxValue - 3);

    private LoraModel Model(LoraAdapter? adapter = null, double? loss = 1.25)
    {
        var tuned = _base.Weights[QProj].Value.Clone();
        CounterRandom.FillNormal(tuned.Span, 3, 1, 0f, 0.1f);
        return new LoraModel(_base, new Dictionary<string, Tensor> { [QProj] = tuned }, adapter, Record(loss), "# report\n\nrounds: 3\n");
    }

    [Fact]
    public void Merged_weights_replace_the_tuned_projections_and_leave_the_base_untouched()
    {
        var before = _base.Weights[QProj].Value.Span.ToArray();
        var model = Model();

        var merged = model.BuildWeights();

        Assert.True(merged[QProj].Value.Span.SequenceEqual(model.TunedWeights[QProj].Span));
        Assert.True(_base.Weights[QProj].Value.Span.SequenceEqual(before));
        var other = "model.layers.0.mlp.up_proj.weight";
        Assert.True(merged[other].Value.Span.SequenceEqual(_base.Weights[other].Value.Span));
    }

    [Theory]
    [InlineData(true, 1.25)]
    [InlineData(false, null)]
    public async Task A_model_round_trips_bit_identically(bool withAdapter, double? loss)
    {
        var adapter = withAdapter
            ? new LoraAdapter(_base.Config, new LoraConfig { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "v_proj"] }, seed: 5)
            : null;
        var model = Model(adapter, loss);

        await LoraModel.Format.WriteAsync(model, _directory, CancellationToken.None);
        var read = await LoraModel.Format.ReadAsync(_directory, CancellationToken.None);

        Assert.Equal(model.Training.Method, read.Training.Method);
        Assert.Equal(model.Training.Ranks, read.Training.Ranks);
        Assert.Equal(model.Training.TargetModules, read.Training.TargetModules);
        Assert.Equal(model.Training with { Ranks = read.Training.Ranks, TargetModules = read.Training.TargetModules }, read.Training);
        Assert.Equal(model.Report, read.Report);
        Assert.Equal(model.TunedWeights.Keys, read.TunedWeights.Keys);
        Assert.True(read.TunedWeights[QProj].Span.SequenceEqual(model.TunedWeights[QProj].Span));
        Assert.Equal(withAdapter, read.Adapter is not null);
        if (adapter is not null)
        {
            Assert.Equal(adapter.Parameters.Select(p => p.Name), read.Adapter!.Parameters.Select(p => p.Name));
            foreach (var (expected, actual) in adapter.Parameters.Zip(read.Adapter.Parameters))
            {
                Assert.True(expected.Value.Span.SequenceEqual(actual.Value.Span), expected.Name);
            }
        }
    }

    [Fact]
    public void A_tuned_weight_that_is_not_in_the_base_or_has_another_shape_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new LoraModel(_base, new Dictionary<string, Tensor> { ["model.layers.9.self_attn.q_proj.weight"] = new Tensor(32, 32) }, null, Record(), ""));
        Assert.Contains("model.layers.9.self_attn.q_proj.weight", error.Message);

        error = Assert.Throws<ArgumentException>(() =>
            new LoraModel(_base, new Dictionary<string, Tensor> { [QProj] = new Tensor(3, 3) }, null, Record(), ""));
        Assert.Contains(QProj, error.Message);
    }

    [Theory]
    [InlineData(LoraModelFormat.TunedFile)]
    [InlineData(LoraModelFormat.TrainingFile)]
    [InlineData(LoraModelFormat.ReportFile)]
    public async Task A_missing_file_is_named(string file)
    {
        await LoraModel.Format.WriteAsync(Model(), _directory, CancellationToken.None);
        File.Delete(Path.Combine(_directory, file));

        var error = await Assert.ThrowsAsync<FileNotFoundException>(async () => await LoraModel.Format.ReadAsync(_directory, CancellationToken.None));
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public async Task A_corrupt_training_record_is_named()
    {
        await LoraModel.Format.WriteAsync(Model(), _directory, CancellationToken.None);
        var path = Path.Combine(_directory, LoraModelFormat.TrainingFile);
        await File.WriteAllTextAsync(path, "{\"method\": \"FLoRA\"}");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await LoraModel.Format.ReadAsync(_directory, CancellationToken.None));
        Assert.Contains(LoraModelFormat.TrainingFile, error.Message);
        Assert.Contains("is missing", error.Message);
    }
}
