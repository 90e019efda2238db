using Exchange.Core.Diagnostics;
using Exchange.Inference.Benchmarks;
using Exchange.Inference.Devices;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Microsoft.Extensions.Logging;

namespace Exchange.Local.Benchmarks;

/// <summary>
/// <c>exchange bench e2e</c>: an honest demo network runs the workload with a <see cref="StageMeter"/>
/// installed, from the client's first task to the last job's end; then the bare engine
/// (<see cref="InferenceBenchmark"/>) runs the same model on the same device in the same process,
/// so that the ratio compares like with like on a machine whatever its load.
/// </summary>
public static class EndToEndBenchmark
{
    /// <summary>Tasks per round of the bare engine on the CPU: enough for its best batch size, few enough to keep the run short.</summary>
    private const int BareTasks = 32;

    /// <summary>
    /// Tasks per round of the bare engine on any other device: a GPU's best batch is 64 or more, and a
    /// round of 32 held the bare loop to batches of 32, which understated it (and flattered the ratio).
    /// </summary>
    private const int BareTasksOnGpu = 256;

    private const double Mebibyte = 1024 * 1024;

    /// <summary>Runs the benchmark.</summary>
    /// <exception cref="InvalidOperationException">The options are invalid, or the network did not end every job.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="UnknownModelException">No model has this name.</exception>
    public static async Task<EndToEndResult> RunAsync(EndToEndOptions options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var data = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "exchange-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The network's own store, like the demo's: an unknown model is refused before anything starts.
            var run = Path.Combine(data, "run");
            var registry = new ModelRegistry(new ModelStore(Path.Combine(run, "models")));
            var entry = registry.Resolve(options.Model);
            // The warm-up job runs on the measured network itself: a network of its own would leave the
            // measured one's routes, queries and contract bindings to be compiled in the window.
            var network = options.Network() with { DataDirectory = run };
            long chainPeak = 0;
            DemoSummary summary;
            StageReport report;
            using (var meter = StageMeter.Install(() =>
            {
                // Read as the window opens and closes, while the chain node still runs.
                chainPeak = Math.Max(chainPeak, ChildProcesses.PeakResidentBytes());
                return ChildProcesses.CpuTime();
            }))
            {
                summary = await new DemoNetwork(network, logs).RunAsync(cancellationToken).ConfigureAwait(false);
                report = meter.Report();
            }

            if (summary.Jobs.Pending > 0 || summary.Jobs.Settled == 0)
            {
                throw new InvalidOperationException($"the network did not settle its jobs ({summary.Jobs.Settled} settled, {summary.Jobs.Pending} pending)");
            }

            var bare = await InferenceBenchmark.RunAsync(
                registry, entry, Math.Min(options.Tasks, options.Device.Kind == DeviceKind.Cpu ? BareTasks : BareTasksOnGpu), new InferenceEngineOptions { Device = options.Device }, cancellationToken).ConfigureAwait(false);

            // From the first upload: the client's own preparation of its tasks comes before it.
            var seconds = report.SinceFirstEntry.TryGetValue(Stage.Upload, out var since) ? since.TotalSeconds : report.Window.TotalSeconds;
            var rate = options.Tasks / seconds;
            return new EndToEndResult(
                options.Model, bare.Device, options.Tasks, options.Providers, summary.TasksPerJob ?? options.TasksPerJob ?? 0, options.TasksPerJob is null, !options.Public, options.WarmUp, options.WarmUpTasks, !options.PollOnly, summary.Jobs.Settled,
                Math.Round(seconds, 3), Math.Round(rate, 2), bare.BareTasksPerSec, Math.Round(rate / bare.BareTasksPerSec, 3), summary.GasPerTask,
                PerTask(report, summary, options.Tasks),
                new PeakMemory(
                    Math.Round(ProcessPeak() / Mebibyte, 1), Math.Round(chainPeak / Mebibyte, 1),
                    LargestPeak(summary.ProviderProcesses),
                    summary.ApiProcess is { } api ? Math.Round(api.PeakResidentBytes / Mebibyte, 1) : null,
                    LargestPeak(summary.VerifierProcesses)),
                PerTask(report.Jit, options.Tasks), PerTask(report.GcPauses, options.Tasks), summary.Phases);
        }
        finally
        {
            if (options.DataDirectory is null)
            {
                TryDelete(data);
            }
        }
    }

    private static long ProcessPeak()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static double PerTask(TimeSpan time, int tasks) => Math.Round(time.TotalMilliseconds / tasks, 3);

    /// <summary>The largest peak of these role processes in MiB; null when there are none (the roles ran in this process).</summary>
    private static double? LargestPeak(IReadOnlyList<RoleProcessUsage> processes) =>
        processes.Count == 0 ? null : Math.Round(processes.Max(p => p.PeakResidentBytes) / Mebibyte, 1);

    private static TimeSpan WindowCpu(IEnumerable<RoleProcessUsage> processes) => processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.WindowCpu);

    private static StageCpu PerTask(StageReport report, DemoSummary summary, int tasks)
    {
        double Ms(TimeSpan cpu) => PerTask(cpu, tasks);
        double StageMs(Stage stage) => Ms(report.Stages[stage]);
        return new StageCpu(
            StageMs(Stage.ClientPreparation), StageMs(Stage.Hashing), StageMs(Stage.Upload), StageMs(Stage.ApiIngest),
            StageMs(Stage.ProviderFetch), StageMs(Stage.Inference), StageMs(Stage.OutputUpload), StageMs(Stage.Signing),
            StageMs(Stage.ChainTransactions), StageMs(Stage.Audits), StageMs(Stage.Polling), Ms(report.Unattributed), Ms(report.OtherProcessesCpu),
            Ms(WindowCpu(summary.ProviderProcesses)), Ms(summary.ApiProcess?.WindowCpu ?? TimeSpan.Zero), Ms(WindowCpu(summary.VerifierProcesses)));
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
