namespace Exchange.Inference.Runtime;

/// <summary>How a loaded model runs a batch of tasks.</summary>
public enum BatchMode
{
    /// <summary>Tasks are stacked along a dynamic first dimension and run as one call.</summary>
    Stacked,

    /// <summary>The graph cannot take a batch: the batch's tasks run as concurrent calls on one session.</summary>
    Concurrent,
}
