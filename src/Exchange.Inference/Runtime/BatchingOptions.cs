namespace Exchange.Inference.Runtime;

/// <summary>How tasks for one model are grouped into batches.</summary>
/// <param name="MaxBatchSize">The most tasks one batch holds.</param>
/// <param name="MaxWait">How long the first task of a batch waits for company before the batch runs anyway.</param>
/// <param name="QueueCapacity">Tasks waiting beyond this make callers wait (backpressure), so memory stays bounded.</param>
/// <param name="Overlap">Batches run at once: 2 lets the next batch be gathered and copied while the
/// device computes the last one (on CUDA, where the copy is the host's work and the compute the
/// GPU's); 1 runs them one after another (on the CPU, where both use the same cores).</param>
public sealed record BatchingOptions(int MaxBatchSize, TimeSpan MaxWait, int QueueCapacity, int Overlap = 1)
{
    /// <summary>Checks the values are usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWait, TimeSpan.Zero, nameof(MaxWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(Overlap, 1, nameof(Overlap));
    }
}
