using System.Diagnostics;
using System.Globalization;

namespace Exchange.Local.Benchmarks;

/// <summary>
/// The processes this one started, and theirs (Linux <c>/proc</c>): in a local network, the
/// Hardhat chain node under <c>npx</c>. Processes that run this program (roles started as processes
/// of their own, such as <c>exchange provider run</c>) are left out with theirs: they are measured
/// apart. Processes that end meanwhile are skipped.
/// </summary>
internal static class ChildProcesses
{
    /// <summary>CPU time (user + system) the descendants have used so far.</summary>
    public static TimeSpan CpuTime() => Sum(p => p.TotalProcessorTime);

    /// <summary>The largest peak resident memory of one descendant, in bytes (0 with none).</summary>
    public static long PeakResidentBytes()
    {
        long peak = 0;
        foreach (var pid in Descendants())
        {
            peak = Math.Max(peak, Read(pid, p => p.PeakWorkingSet64));
        }

        return peak;
    }

    private static TimeSpan Sum(Func<Process, TimeSpan> read)
    {
        var total = TimeSpan.Zero;
        foreach (var pid in Descendants())
        {
            total += Read(pid, read);
        }

        return total;
    }

    private static T Read<T>(int pid, Func<Process, T> read)
        where T : struct
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return read(process);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ended between the listing and the read.
            return default;
        }
    }

    private static List<int> Descendants()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(dir) is { } parent)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }

        var found = new List<int>();
        var pending = new Stack<int>([Environment.ProcessId]);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid, []))
            {
                if (RunsThisProgram(child))
                {
                    continue;
                }

                found.Add(child);
                pending.Push(child);
            }
        }

        return found;
    }

    private static bool RunsThisProgram(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget is { } exe && exe == Environment.ProcessPath;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The parent pid from <c>/proc/PID/stat</c>: the field after the state, which follows the command's closing parenthesis.</summary>
    private static int? ParentOf(string dir)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 3);
            return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
