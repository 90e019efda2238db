using System.Text.Json.Serialization;

namespace Exchange.Local.Benchmarks;

/// <summary>The result of <c>exchange bench e2e</c>: one honest network run and the bare engine, measured in the same process.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Device">Where the bare engine ran (the network's engine was given the same device).</param>
/// <param name="Tasks">Tasks the client submitted.</param>
/// <param name="Providers">Honest providers.</param>
/// <param name="TasksPerJob">Tasks per job: the largest job the client created.</param>
/// <param name="JobSizeChosen">Whether the client chose the job size (no <c>--tasks-per-job</c>), as <c>exchange client submit</c> does by default.</param>
/// <param name="Encrypted">Whether payloads were encrypted (the default; <c>--public</c> sends them in the clear).</param>
/// <param name="WarmUp">Whether a job ran on the network first, so that the measured run found its code compiled.</param>
/// <param name="WarmUpTasks">The warm-up job's tasks (0 without one; see <see cref="EndToEndOptions.WarmUpTasks"/>).</param>
/// <param name="Subscribed">Whether the nodes and the client subscribed to the chain's logs (false with <c>--poll-only</c>).</param>
/// <param name="Settled">Jobs that settled (every job, in an honest run that ended).</param>
/// <param name="Seconds">Wall time from the client's first upload to the last job's end as the client saw it.</param>
/// <param name="TasksPerSec">Tasks ÷ <paramref name="Seconds"/>.</param>
/// <param name="BareTasksPerSec">A plain loop of ONNX Runtime batch calls on the same model and device, at its best batch size.</param>
/// <param name="Ratio"><paramref name="TasksPerSec"/> ÷ <paramref name="BareTasksPerSec"/>.</param>
/// <param name="GasPerTask">Gas of every transaction from the client's first to the last job's end, per task.</param>
/// <param name="CpuMsPerTask">CPU milliseconds per task, by stage (see <see cref="StageCpu"/>).</param>
/// <param name="PeakRssMb">Peak resident memory, in MiB: the process (every role but the chain) and the chain node.</param>
/// <param name="JitMsPerTask">JIT compilation per task, part of the CPU rows (a run's first tasks compile the code they run).</param>
/// <param name="GcPauseMsPerTask">Wall time per task the garbage collector paused the process.</param>
/// <param name="WallSeconds">Where <paramref name="Seconds"/> went, phase by phase (<see cref="Demo.DemoPhases"/>).</param>
public sealed record EndToEndResult(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("providers")] int Providers,
    [property: JsonPropertyName("tasksPerJob")] int TasksPerJob,
    [property: JsonPropertyName("jobSizeChosen")] bool JobSizeChosen,
    [property: JsonPropertyName("encrypted")] bool Encrypted,
    [property: JsonPropertyName("warmUp")] bool WarmUp,
    [property: JsonPropertyName("warmUpTasks")] int WarmUpTasks,
    [property: JsonPropertyName("subscribed")] bool Subscribed,
    [property: JsonPropertyName("settled")] int Settled,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("tasksPerSec")] double TasksPerSec,
    [property: JsonPropertyName("bareTasksPerSec")] double BareTasksPerSec,
    [property: JsonPropertyName("ratio")] double Ratio,
    [property: JsonPropertyName("gasPerTask")] double GasPerTask,
    [property: JsonPropertyName("cpuMsPerTask")] StageCpu CpuMsPerTask,
    [property: JsonPropertyName("peakRssMb")] PeakMemory PeakRssMb,
    [property: JsonPropertyName("jitMsPerTask")] double JitMsPerTask,
    [property: JsonPropertyName("gcPauseMsPerTask")] double GcPauseMsPerTask,
    [property: JsonPropertyName("wallSeconds")] Demo.DemoPhases? WallSeconds)
{
    /// <summary>
    /// Tasks ÷ the seconds from the first upload until every job's results were on the chain
    /// (<see cref="Demo.DemoPhases"/> less its settlement): the rate at which the exchange turns
    /// uploads into signed, fetchable results. Settlement adds to each job a latency of its own (the
    /// audit and the pass appeal window, a deployment parameter) whatever its size, which jobs in a
    /// stream spend side by side; <see cref="TasksPerSec"/> counts it once, at the end.
    /// </summary>
    [JsonPropertyName("resultsPerSec")]
    public double? ResultsPerSec => WallSeconds is { } wall && wall.Upload + wall.Creation + wall.Results is > 0 and var seconds
        ? Math.Round(Tasks / seconds, 2) : null;

    /// <summary><see cref="ResultsPerSec"/> ÷ <see cref="BareTasksPerSec"/>.</summary>
    [JsonPropertyName("resultsRatio")]
    public double? ResultsRatio => ResultsPerSec is { } rate && BareTasksPerSec > 0 ? Math.Round(rate / BareTasksPerSec, 3) : null;
}

/// <summary>
/// CPU milliseconds per task in the measured window. The stages are the exchange's, measured per
/// async flow on every thread it ran on (exclusive: a stage nested in another counts once, as
/// itself); <see cref="Other"/> is the rest of the process's CPU (threads that work for the flows,
/// such as ONNX Runtime's own pool, sockets and Kestrel, the GC and the JIT's background compiles);
/// <see cref="ChainNode"/> is the local chain node's process, <see cref="ProviderProcesses"/> the
/// providers' when they run as processes of their own (0 otherwise: their work is in the stages),
/// and <see cref="ApiProcess"/> and <see cref="VerifierProcesses"/> the API's and the verifiers'
/// likewise (<c>--role-processes</c>).
/// </summary>
public sealed record StageCpu(
    [property: JsonPropertyName("clientPreparation")] double ClientPreparation,
    [property: JsonPropertyName("hashing")] double Hashing,
    [property: JsonPropertyName("uploads")] double Uploads,
    [property: JsonPropertyName("apiIngest")] double ApiIngest,
    [property: JsonPropertyName("providerFetch")] double ProviderFetch,
    [property: JsonPropertyName("inference")] double Inference,
    [property: JsonPropertyName("outputUpload")] double OutputUpload,
    [property: JsonPropertyName("signing")] double Signing,
    [property: JsonPropertyName("chainTransactions")] double ChainTransactions,
    [property: JsonPropertyName("audits")] double Audits,
    [property: JsonPropertyName("polling")] double Polling,
    [property: JsonPropertyName("other")] double Other,
    [property: JsonPropertyName("chainNode")] double ChainNode,
    [property: JsonPropertyName("providerProcesses")] double ProviderProcesses,
    [property: JsonPropertyName("apiProcess")] double ApiProcess = 0,
    [property: JsonPropertyName("verifierProcesses")] double VerifierProcesses = 0)
{
    /// <summary>Every row: this process's CPU, the chain node's and the role processes', per task.</summary>
    [JsonPropertyName("total")]
    public double Total => Math.Round(
        ClientPreparation + Hashing + Uploads + ApiIngest + ProviderFetch + Inference + OutputUpload + Signing + ChainTransactions + Audits + Polling + Other + ChainNode + ProviderProcesses
        + ApiProcess + VerifierProcesses, 3);
}

/// <summary>
/// Peak resident memory in MiB. The client, the API and the verifier share one process, and so do
/// the providers, unless they run as processes of their own (<c>--provider-processes</c> for the
/// providers, <c>--role-processes</c> for all three).
/// </summary>
/// <param name="Process">This process, whose roles <see cref="ProcessRoles"/> names.</param>
/// <param name="ChainNode">The local chain node.</param>
/// <param name="Providers">The largest of the provider processes; null when the providers ran in this process.</param>
/// <param name="Api">The API's process; null when the API ran in this process.</param>
/// <param name="Verifiers">The largest of the verifier processes; null when the verifiers ran in this process.</param>
public sealed record PeakMemory(
    [property: JsonPropertyName("process")] double Process,
    [property: JsonPropertyName("chainNode")] double ChainNode,
    [property: JsonPropertyName("providers")] double? Providers = null,
    [property: JsonPropertyName("api")] double? Api = null,
    [property: JsonPropertyName("verifiers")] double? Verifiers = null)
{
    /// <summary>The roles whose memory <see cref="Process"/> counts together.</summary>
    [JsonPropertyName("processRoles")]
    public IReadOnlyList<string> ProcessRoles =>
        [
            "client",
            .. Api is null ? ["api"] : Array.Empty<string>(),
            .. Providers is null ? ["providers"] : Array.Empty<string>(),
            .. Verifiers is null ? ["verifiers"] : Array.Empty<string>(),
        ];
}
