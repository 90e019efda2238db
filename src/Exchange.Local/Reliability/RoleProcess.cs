using System.Diagnostics;

namespace Exchange.Local.Reliability;

/// <summary>A long-running role (the API, a provider, a verifier) started by the campaign; its output is kept for waits and failure messages.</summary>
internal sealed class RoleProcess : IDisposable
{
    private const int KeptLines = 400;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();

    private RoleProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>The role's name in messages.</summary>
    public string Name { get; }

    /// <summary>Whether it is still running.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>The CPU time (user + system) it has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Its peak resident memory so far (<c>VmHWM</c>), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    public static RoleProcess Start(string name, ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var role = new RoleProcess(name, process);
        process.OutputDataReceived += (_, e) => role.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => role.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return role;
    }

    /// <summary>Waits until a line contains <paramref name="text"/>.</summary>
    /// <exception cref="InvalidOperationException">The role exited first, or the time ran out.</exception>
    public async Task WaitForAsync(string text, TimeSpan within, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!Printed(text))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before printing '{text}': {Tail(10)}");
            }

            if (clock.Elapsed > within)
            {
                throw new InvalidOperationException($"{Name} did not print '{text}' within {within.TotalSeconds:0} s: {Tail(10)}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a line contains <paramref name="text"/>.</summary>
    public bool Printed(string text)
    {
        lock (_lines)
        {
            return _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>The last lines, joined with " | ".</summary>
    public string Tail(int count)
    {
        lock (_lines)
        {
            return string.Join(" | ", _lines.TakeLast(count));
        }
    }

    /// <summary>SIGKILL to the whole tree: the process gets no chance to clean up, as in a crash or a power cut.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
