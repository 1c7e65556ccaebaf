using DeclFed.Tensors.Model;
using DeclFed.Tensors.Nn;

namespace DeclFed.Tensors.Training;

/// <summary>What one optimizer step reported.</summary>
/// <param name="Loss">The mean loss over the micro-batches (each micro-batch's mean, averaged).</param>
/// <param name="GradientNorm">The global gradient norm before clipping.</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="Skipped">True when the gradient was not finite and no update was made.</param>
public readonly record struct StepResult(double Loss, double GradientNorm, float LearningRate, bool Skipped);

/// <summary>
/// First-order training of whatever is trainable in a <see cref="LlamaModel"/> (the attached LoRA adapter, or every
/// base weight when pretraining): gradient accumulation over micro-batches, clipping by global norm, a warm-up +
/// cosine schedule, and an optimizer step. Everything is sequential or split over a fixed partition, so the same
/// seed and thread count give bit-identical weights.
/// </summary>
public sealed class Trainer
{
    private readonly LlamaModel _model;
    private readonly IOptimizer _optimizer;
    private readonly WarmupCosineSchedule _schedule;
    private readonly double _maxGradNorm;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model; its trainable parameters must be the optimizer's.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="schedule">The learning-rate schedule, indexed by optimizer step.</param>
    /// <param name="maxGradNorm">Clip the global gradient norm to this (≤ 0 disables clipping).</param>
    /// <param name="dropoutSeed">The seed of dropout masks.</param>
    public Trainer(LlamaModel model, IOptimizer optimizer, WarmupCosineSchedule schedule, double maxGradNorm = 1.0, ulong dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        _model = model;
        _optimizer = optimizer;
        _schedule = schedule;
        _maxGradNorm = maxGradNorm;
        _model.Context.DropoutSeed = dropoutSeed;
    }

    /// <summary>The optimizer.</summary>
    public IOptimizer Optimizer => _optimizer;

    /// <summary>
    /// One optimizer step over <paramref name="microBatches"/> (gradient accumulation): each micro-batch's mean loss is
    /// back-propagated with weight 1/count, so the update equals that of the averaged loss.
    /// </summary>
    public StepResult Step(IReadOnlyList<TokenBatch> microBatches) => Step(microBatches, learningRate: null);

    /// <summary>
    /// As <see cref="Step(IReadOnlyList{TokenBatch})"/>, with the learning rate of this step given by the caller instead of
    /// the schedule (a rate that adapts while training, e.g. FedHyper's client-local hypergradient).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    public StepResult Step(IReadOnlyList<TokenBatch> microBatches, float learningRate)
    {
        if (!(learningRate >= 0) || !float.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a non-negative finite number.");
        }
        return Step(microBatches, (float?)learningRate);
    }

    private StepResult Step(IReadOnlyList<TokenBatch> microBatches, float? learningRate)
    {
        ArgumentNullException.ThrowIfNull(microBatches);
        if (microBatches.Count == 0)
        {
            throw new ArgumentException("A step needs at least one micro-batch.", nameof(microBatches));
        }
        var wasTraining = _model.Training;
        _model.Training = true;
        try
        {
            _optimizer.ZeroGrad();
            double loss = 0;
            var scale = 1f / microBatches.Count;
            for (var i = 0; i < microBatches.Count; i++)
            {
                var batch = microBatches[i];
                _model.Context.Step = _optimizer.StepCount * microBatches.Count + i;
                var logits = _model.Forward(batch.Inputs, batch.BatchSize, batch.SequenceLength);
                var value = _model.Loss(logits, batch.Targets, backward: true, gradScale: scale);
                loss += value.Count == 0 ? 0 : value.Mean / microBatches.Count;
            }
            var norm = _maxGradNorm > 0
                ? GradientClipping.ClipByGlobalNorm(_optimizer.Parameters, _maxGradNorm)
                : GradientClipping.GlobalNorm(_optimizer.Parameters);
            var rate = learningRate ?? _schedule.At(_optimizer.StepCount);
            if (!double.IsFinite(norm))
            {
                return new StepResult(loss, norm, rate, Skipped: true);
            }
            _optimizer.Step(rate);
            return new StepResult(loss, norm, rate, Skipped: false);
        }
        finally
        {
            _model.Training = wasTraining;
        }
    }

    /// <summary>The mean loss of <paramref name="batch"/> without dropout and without touching gradients.</summary>
    public static double Evaluate(LlamaModel model, TokenBatch batch) => EvaluateLoss(model, batch).Mean;

    /// <summary>
    /// The summed loss and counted targets of <paramref name="batch"/> without dropout and without touching gradients; sum
    /// these over batches for a token-weighted mean.
    /// </summary>
    public static LossValue EvaluateLoss(LlamaModel model, TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        var wasTraining = model.Training;
        model.Training = false;
        try
        {
            var logits = model.Forward(batch.Inputs, batch.BatchSize, batch.SequenceLength);
            return model.Loss(logits, batch.Targets, backward: false);
        }
        finally
        {
            model.Training = wasTraining;
        }
    }
}
