using System.Diagnostics;

namespace Exchange.Node.Tests.Support;

/// <summary>A long-running <c>exchange …</c> child process (a provider or verifier) that a test can kill -9.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    // Every line, for tests that look for one that scrolled out of the tail: test nodes live for minutes.
    private readonly List<string> _written = [];

    private NodeProcess(Process process) => _process = process;

    /// <summary>The process's id, to read what the kernel knows of it under <c>/proc</c>.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet exchange.dll args…</c> in the test's working directory.</summary>
    public static NodeProcess Start(params string[] args) => StartIn(null, args);

    /// <summary>Starts <c>dotnet exchange.dll args…</c> in <paramref name="workingDirectory"/> (the test's own when null).</summary>
    public static NodeProcess StartIn(string? workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "exchange.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join("\n", _tail);
        }
    }

    /// <summary>Whether any line the process wrote so far contains <paramref name="text"/> (case-insensitive).</summary>
    public bool Wrote(string text)
    {
        lock (_tail)
        {
            return _written.Any(line => line.Contains(text, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like <c>kill -9</c>.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _written.Add(line);
            _tail.Enqueue(line);
            while (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
    }
}
