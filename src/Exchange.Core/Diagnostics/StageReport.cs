namespace Exchange.Core.Diagnostics;

/// <summary>What a <see cref="StageMeter"/> measured in its window.</summary>
/// <param name="Window">Wall time from opening to closing the window.</param>
/// <param name="Stages">CPU time charged to each stage.</param>
/// <param name="SinceFirstEntry">For each stage entered, wall time from its first entry to the window's close.</param>
/// <param name="ProcessCpu">CPU time of the whole process in the window, stages and everything else.</param>
/// <param name="OtherProcessesCpu">CPU time, in the window, of the processes that work for this one (the local chain node).</param>
public sealed record StageReport(
    TimeSpan Window,
    IReadOnlyDictionary<Stage, TimeSpan> Stages,
    IReadOnlyDictionary<Stage, TimeSpan> SinceFirstEntry,
    TimeSpan ProcessCpu,
    TimeSpan OtherProcessesCpu)
{
    /// <summary>Time the JIT compiler took in the window, on whichever threads it ran (so inside the stages and the rest, not beside them).</summary>
    public TimeSpan Jit { get; init; }

    /// <summary>Wall time the garbage collector paused the process in the window.</summary>
    public TimeSpan GcPauses { get; init; }

    /// <summary>Process CPU time charged to no stage: other threads' work for the flows, polling, the runtime.</summary>
    public TimeSpan Unattributed => ProcessCpu - Stages.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + t);
}
