namespace DeclFed;

/// <summary>Which seed a federated stage draws its partition, client sampling, initial adapters and data order from.</summary>
public enum SeedScope
{
    /// <summary>The step's own seed (derived from the run's seed and the step's name): every stage draws independently.</summary>
    Step,

    /// <summary>
    /// The run's seed alone: stages of one run that compare methods share the same partition, client sampling and initial
    /// adapters, so their differences come from the methods.
    /// </summary>
    Run,
}
