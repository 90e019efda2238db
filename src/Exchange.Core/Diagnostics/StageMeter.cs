using System.Diagnostics;

namespace Exchange.Core.Diagnostics;

/// <summary>
/// CPU time per <see cref="Stage"/> of the pipeline, for the end-to-end benchmark. A stage is a scope,
/// <c>using var _ = StageMeter.Measure(Stage.Hashing);</c>, that follows its async flow: whenever
/// the flow enters or leaves a thread, that thread's CPU clock is read, and the time the flow ran
/// there is charged to the stage, however often it hops between threads. Stages nest and the
/// innermost is charged (hashing inside an upload counts as hashing), except that fetches inside an
/// audit stay the audit's. Work a flow hands to other threads (ONNX Runtime's own thread pool,
/// socket completions, Kestrel before a handler runs, the GC) is charged to no stage.
/// </summary>
/// <remarks>
/// One meter per process at most (<see cref="Install"/>): the roles of a local network run in one
/// process, and their hooks find the meter without being handed it. With no meter installed, or
/// outside its open window, <see cref="Measure"/> does nothing but read a static field.
/// </remarks>
public sealed class StageMeter : IDisposable
{
    private static readonly AsyncLocal<Frame?> Current = new(OnFlowChanged);
    private static readonly int StageCount = Enum.GetValues<Stage>().Length;
    private static StageMeter? s_active;

    [ThreadStatic]
    private static long t_mark;

    private readonly long[] _cpuNanos = new long[StageCount];
    private readonly long[] _firstEntry = new long[StageCount];
    private readonly Func<TimeSpan> _otherProcessesCpu;
    private volatile bool _open;
    private long _openedAt;
    private long _closedAt;
    private TimeSpan _processCpuAtOpen;
    private TimeSpan _processCpu;
    private TimeSpan _otherCpuAtOpen;
    private TimeSpan _otherCpu;
    private TimeSpan _jitAtOpen;
    private TimeSpan _jit;
    private TimeSpan _gcPausesAtOpen;
    private TimeSpan _gcPauses;

    private StageMeter(Func<TimeSpan> otherProcessesCpu) => _otherProcessesCpu = otherProcessesCpu;

    /// <summary>The installed meter, or null.</summary>
    public static StageMeter? Active => s_active;

    /// <summary>
    /// Installs the process's meter; dispose it to remove it. <paramref name="otherProcessesCpu"/>
    /// reads the CPU time of processes that work for this one (a local chain node), read when the
    /// window opens and closes.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux, whose per-thread CPU clock the meter reads.</exception>
    /// <exception cref="InvalidOperationException">A meter is installed already.</exception>
    public static StageMeter Install(Func<TimeSpan> otherProcessesCpu)
    {
        ArgumentNullException.ThrowIfNull(otherProcessesCpu);
        if (!ThreadCpuClock.IsSupported)
        {
            throw new PlatformNotSupportedException("the stage meter reads each thread's CPU clock, which it does only on Linux");
        }

        var meter = new StageMeter(otherProcessesCpu);
        return Interlocked.CompareExchange(ref s_active, meter, null) is null
            ? meter
            : throw new InvalidOperationException("a stage meter is installed already; one process runs one benchmark at a time");
    }

    /// <summary>Charges the CPU time of the calling flow to <paramref name="stage"/> until the scope is disposed.</summary>
    public static Scope Measure(Stage stage)
    {
        var meter = s_active;
        if (meter is null || !meter._open)
        {
            return default;
        }

        var outer = Current.Value;
        if (outer is { Stage: Stage.Audits } && stage == Stage.ProviderFetch)
        {
            return default;
        }

        Interlocked.CompareExchange(ref meter._firstEntry[(int)stage], Stopwatch.GetTimestamp(), 0);
        var frame = new Frame(meter, stage, outer);
        Current.Value = frame;
        return new Scope(frame);
    }

    /// <summary>Starts the measured window: stages are charged from now on, from zero.</summary>
    public void Open()
    {
        Array.Clear(_cpuNanos);
        Array.Clear(_firstEntry);
        _otherCpuAtOpen = _otherProcessesCpu();
        _processCpuAtOpen = Environment.CpuUsage.TotalTime;
        _jitAtOpen = System.Runtime.JitInfo.GetCompilationTime();
        _gcPausesAtOpen = GC.GetTotalPauseDuration();
        _openedAt = Stopwatch.GetTimestamp();
        _open = true;
    }

    /// <summary>Ends the measured window.</summary>
    public void Close()
    {
        if (!_open)
        {
            return;
        }

        _open = false;
        _closedAt = Stopwatch.GetTimestamp();
        _processCpu = Environment.CpuUsage.TotalTime - _processCpuAtOpen;
        _jit = System.Runtime.JitInfo.GetCompilationTime() - _jitAtOpen;
        _gcPauses = GC.GetTotalPauseDuration() - _gcPausesAtOpen;
        _otherCpu = _otherProcessesCpu() - _otherCpuAtOpen;
    }

    /// <summary>What the last closed window measured.</summary>
    /// <exception cref="InvalidOperationException">No window was opened and closed.</exception>
    public StageReport Report()
    {
        if (_open || _closedAt == 0)
        {
            throw new InvalidOperationException("the stage meter's window was not opened and closed");
        }

        var stages = Enum.GetValues<Stage>().ToDictionary(s => s, s => TimeSpan.FromTicks(Interlocked.Read(ref _cpuNanos[(int)s]) / 100));
        var firstEntry = Enum.GetValues<Stage>()
            .Where(s => _firstEntry[(int)s] != 0)
            .ToDictionary(s => s, s => Stopwatch.GetElapsedTime(_firstEntry[(int)s], _closedAt));
        return new StageReport(Stopwatch.GetElapsedTime(_openedAt, _closedAt), stages, firstEntry, _processCpu, _otherCpu) { Jit = _jit, GcPauses = _gcPauses };
    }

    /// <summary>Removes the meter from the process.</summary>
    public void Dispose()
    {
        _open = false;
        Interlocked.CompareExchange(ref s_active, null, this);
    }

    /// <summary>
    /// Called on every change of the flow's stage, including the runtime's own when a flow enters
    /// or leaves a thread: the stage that was current here is charged for the time since the mark.
    /// </summary>
    private static void OnFlowChanged(AsyncLocalValueChangedArgs<Frame?> change)
    {
        var now = ThreadCpuClock.Nanoseconds();
        if (change.PreviousValue is { } previous && previous.Meter._open && now > t_mark)
        {
            Interlocked.Add(ref previous.Meter._cpuNanos[(int)previous.Stage], now - t_mark);
        }

        t_mark = now;
    }

    /// <summary>The end of a stage's scope.</summary>
    public readonly struct Scope : IDisposable, IEquatable<Scope>
    {
        private readonly Frame? _frame;

        internal Scope(Frame frame) => _frame = frame;

        /// <summary>Ends the stage: the flow goes back to the stage around it.</summary>
        public void Dispose()
        {
            if (_frame is not null && ReferenceEquals(Current.Value, _frame))
            {
                Current.Value = _frame.Outer;
            }
        }

        /// <inheritdoc/>
        public bool Equals(Scope other) => ReferenceEquals(_frame, other._frame);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is Scope other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode() => _frame?.GetHashCode() ?? 0;

        /// <summary>Same frame.</summary>
        public static bool operator ==(Scope left, Scope right) => left.Equals(right);

        /// <summary>Different frames.</summary>
        public static bool operator !=(Scope left, Scope right) => !left.Equals(right);
    }

    internal sealed record Frame(StageMeter Meter, Stage Stage, Frame? Outer);
}
