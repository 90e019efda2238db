using System.Runtime.InteropServices;

namespace Exchange.Core.Diagnostics;

/// <summary>The calling thread's CPU time (user + system), from Linux's <c>CLOCK_THREAD_CPUTIME_ID</c>.</summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Whether the clock can be read here (Linux only).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>CPU nanoseconds the calling thread has used.</summary>
    public static long Nanoseconds()
    {
        _ = ClockGetTime(ClockThreadCpuTimeId, out var time);
        return (time.Seconds * NanosPerSecond) + time.Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
