using System.Diagnostics;
using System.Text.RegularExpressions;
using Exchange.Local.Hardhat;
using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>
/// Follows docs/network.md: its <c>sh</c> blocks run in order, from the repository root, as its
/// reader runs them: an <c>every-terminal</c> block before each block, a block labelled
/// <c>terminal=NAME</c> as a process kept running until its <c>ready</c> text appears, every other
/// block to its end with exit code 0 (the last one's <c>submit --wait</c> exits 0 only when every job
/// settled and its outputs were written). The only changes: free ports instead of 8545 and 5080, and
/// a temporary folder for <c>$NET</c> and the user's data folder; the solution is already built, so
/// the guide's build block is not run again.
/// </summary>
[Trait("Lane", "Slow")]
public sealed partial class NetworkGuideTests : IDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan BlockWithin = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan SlowBlockWithin = TimeSpan.FromMinutes(30);

    // From this block interval on, the guide's section on slow chains applies (its 12-second case).
    private const int SlowBlockMilliseconds = 12_000;

    private readonly TempDirectory _folder = new();
    private readonly List<Terminal> _terminals = [];

    public void Dispose()
    {
        // The last started first: the nodes, then the API, then the chain they use.
        for (var i = _terminals.Count - 1; i >= 0; i--)
        {
            _terminals[i].Dispose();
        }

        _folder.Dispose();
    }

    /// <summary>
    /// Block intervals the guide runs on, in milliseconds (0: a block per transaction): 0 and 2,000,
    /// or the list in <c>EXCHANGE_GUIDE_BLOCKS</c> (e.g. <c>12000</c>: a run takes many minutes, so CI leaves it out).
    /// </summary>
    public static TheoryData<int> BlockIntervals()
    {
        var listed = Environment.GetEnvironmentVariable("EXCHANGE_GUIDE_BLOCKS");
        return string.IsNullOrWhiteSpace(listed)
            ? new TheoryData<int>(0, 2_000)
            : new TheoryData<int>(listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
    }

    /// <summary>
    /// The guide on its chain as started (a block per transaction), or switched to a block every
    /// <paramref name="blockMilliseconds"/> right after it starts, as the guide's section on such
    /// chains says (automine off, interval mining on): with the guide's parameters unchanged up to
    /// 2-second blocks, and with the longer windows that section gives for 12-second blocks.
    /// </summary>
    [Theory]
    [MemberData(nameof(BlockIntervals))]
    public async Task The_guide_runs_a_network_of_separate_processes_in_which_the_clients_job_settles(int blockMilliseconds)
    {
        var blocks = Blocks(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "network.md")));
        var chainPort = HardhatNode.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var apiPort = HardhatNode.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string Ported(string text) => Windows(text.Replace("8545", chainPort, StringComparison.Ordinal).Replace("5080", apiPort, StringComparison.Ordinal), blockMilliseconds);

        var prelude = Ported(Assert.Single(blocks, b => b.Info == "every-terminal").Body) + $"""

            export NET='{_folder.File("net")}' XDG_DATA_HOME='{_folder.File("share")}'
            unset EXCHANGE_DEPLOYMENT
            """;
        Assert.Contains(blocks, b => b.Info.StartsWith("terminal=chain", StringComparison.Ordinal));
        Assert.True(blockMilliseconds < SlowBlockMilliseconds || blocks.Any(b => Windows(b.Body, blockMilliseconds) != b.Body), "the guide's parameters no longer hold the windows the slow-chain section lengthens");
        Assert.Contains(blocks, b => b.Body.Contains("client submit", StringComparison.Ordinal) && b.Body.Contains("--wait", StringComparison.Ordinal));
        var transcript = new List<string>();
        foreach (var block in blocks.Where(b => b.Info != "every-terminal" && !b.Body.StartsWith("dotnet build", StringComparison.Ordinal)))
        {
            var script = prelude + "\n" + Ported(block.Body);
            if (TerminalPattern().Match(block.Info) is { Success: true } terminal)
            {
                var started = Terminal.Start(terminal.Groups["name"].Value, script);
                _terminals.Add(started);
                await started.WaitForAsync(terminal.Groups["ready"].Value, ReadyWithin, () => Context(transcript));
                if (blockMilliseconds > 0 && terminal.Groups["name"].Value == "chain")
                {
                    await MineOnAClockAsync(new Uri($"http://127.0.0.1:{chainPort}/"), blockMilliseconds);
                }

                continue;
            }

            var (exitCode, output) = await RunAsync(script, blockMilliseconds >= SlowBlockMilliseconds ? SlowBlockWithin : BlockWithin, () => Context(transcript));
            transcript.Add($"$ {block.Body}\n{output}");
            Assert.True(exitCode == 0, $"the block exited {exitCode}:\n{block.Body}\n{output}\n{Context(transcript)}");
        }

        Assert.NotEmpty(Directory.GetFiles(_folder.File("net/out")));
    }

    /// <summary>The guide's switch to blocks on a clock: <c>evm_setAutomine false</c>, then <c>evm_setIntervalMining</c>.</summary>
    private static async Task MineOnAClockAsync(Uri rpc, int blockMilliseconds)
    {
        using var http = new HttpClient();
        foreach (var (method, parameter) in new[] { ("evm_setAutomine", "false"), ("evm_setIntervalMining", blockMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
        {
            using var body = new StringContent($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":[{{parameter}}]}""", System.Text.Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync(rpc, body);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.IsSuccessStatusCode && !text.Contains("\"error\"", StringComparison.Ordinal), $"{method}: {text}");
        }
    }

    private string Context(List<string> transcript) =>
        string.Join("\n", transcript.TakeLast(3)) + "\n" + string.Join("\n", _terminals.Select(t => $"--- {t.Name}:\n{t.Tail()}"));

    private static List<(string Info, string Body)> Blocks(string markdown) =>
        [.. BlockPattern().Matches(markdown).Select(m => (m.Groups["info"].Value.Trim(), m.Groups["body"].Value))];

    /// <summary>
    /// The guide's parameters, with the windows its section on 12-second blocks gives for chains
    /// whose blocks come that slowly: a challenge window of 60 s, court windows of 120 s and an audit
    /// window of 600 s.
    /// </summary>
    private static string Windows(string text, int blockMilliseconds) => blockMilliseconds < SlowBlockMilliseconds
        ? text
        : text.Replace("\"challengeWindow\": 5", "\"challengeWindow\": 60", StringComparison.Ordinal)
            .Replace("\"auditWindow\": 120", "\"auditWindow\": 600", StringComparison.Ordinal)
            .Replace("\"commitWindow\": 10, \"revealWindow\": 10, \"appealWindow\": 10, \"passAppealWindow\": 10",
                "\"commitWindow\": 120, \"revealWindow\": 120, \"appealWindow\": 120, \"passAppealWindow\": 120", StringComparison.Ordinal);

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan within, Func<string> context)
    {
        using var process = Process.Start(Bash(script)) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"a block of the guide ran longer than {within}:\n{script}\n{context()}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo Bash(string script) => new("bash", ["-euo", "pipefail", "-c", script])
    {
        WorkingDirectory = RepositoryRoot.Path,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        RedirectStandardInput = true,
        UseShellExecute = false,
    };

    [GeneratedRegex(@"^```sh(?<info>[^\n]*)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex BlockPattern();

    [GeneratedRegex("""^terminal=(?<name>\S+) ready="(?<ready>[^"]+)"$""")]
    private static partial Regex TerminalPattern();

    /// <summary>A block that keeps running, as in a terminal of its own; its output is kept for the wait and for failure messages.</summary>
    private sealed class Terminal : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private Terminal(string name, Process process)
        {
            Name = name;
            _process = process;
        }

        public string Name { get; }

        public static Terminal Start(string name, string script)
        {
            var process = Process.Start(Bash(script)) ?? throw new InvalidOperationException("could not start bash");
            var terminal = new Terminal(name, process);
            process.OutputDataReceived += (_, e) => terminal.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => terminal.Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return terminal;
        }

        public async Task WaitForAsync(string text, TimeSpan limit, Func<string> context)
        {
            var clock = Stopwatch.StartNew();
            while (!Contains(text))
            {
                if (_process.HasExited)
                {
                    Assert.Fail($"terminal {Name} exited ({_process.ExitCode}) before printing '{text}':\n{Tail()}\n{context()}");
                }

                if (clock.Elapsed > limit)
                {
                    Assert.Fail($"terminal {Name} did not print '{text}' within {limit}:\n{Tail()}\n{context()}");
                }

                await Task.Delay(200);
            }
        }

        public string Tail()
        {
            lock (_lines)
            {
                return string.Join("\n", _lines.TakeLast(40));
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private bool Contains(string text)
        {
            lock (_lines)
            {
                return _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
