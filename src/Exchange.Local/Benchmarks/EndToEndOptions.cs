using Exchange.Inference.Devices;
using Exchange.Inference.Models;

namespace Exchange.Local.Benchmarks;

/// <summary>What <c>exchange bench e2e</c> runs: an honest local network's workload and size.</summary>
public sealed record EndToEndOptions
{
    /// <summary>The model, by name. Default <c>identity-u8</c> (no compute: the plumbing alone, with <c>resnet18-u8</c>'s inputs).</summary>
    public string Model { get; init; } = BuiltInModels.IdentityBytes;

    /// <summary>Tasks the client submits. Default 256.</summary>
    public int Tasks { get; init; } = 256;

    /// <summary>Where the providers, verifiers and the bare engine run the model. Default auto.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Auto;

    /// <summary>Honest providers. Default 1.</summary>
    public int Providers { get; init; } = 1;

    /// <summary>Tasks per job, or null (the default) for the client's own choice, as <c>exchange client submit</c> makes it.</summary>
    public int? TasksPerJob { get; init; }

    /// <summary>
    /// Runs one job to its settlement on the network before the measured workload, so that the
    /// measured run finds every role's code compiled and the network's routes and queries built,
    /// as in a network that has run for a while. Default false: one cold run.
    /// </summary>
    public bool WarmUp { get; init; }

    /// <summary>
    /// The warm-up job's tasks: as many as each of the run's jobs (<see cref="TasksPerJob"/>, or the
    /// run's tasks up to <see cref="WarmUpTasksAtMost"/>); 0 without <see cref="WarmUp"/>. The runtime
    /// recompiles a method at tier 1 once it has been called 30 times, and much of the exchange's code
    /// runs per request, per batch or per group of blobs: after a warm-up of 64 tasks that code was
    /// still being recompiled in the measured window (about 1,500 methods and 0.6–0.8 s of JIT in the
    /// upload and results phases of 1,024 tasks). A warm-up as large as the run calls it as often as
    /// the run does, as a network that has run for a while has.
    /// </summary>
    public int WarmUpTasks => WarmUp ? Math.Min(Tasks, TasksPerJob ?? WarmUpTasksAtMost) : 0;

    /// <summary>The warm-up job's size when the client chooses the run's: the size it chooses for a run of that many tasks.</summary>
    public const int WarmUpTasksAtMost = 1024;

    /// <summary>
    /// Runs each provider as a process of its own (<c>exchange provider run</c>, the model on its
    /// default device), so that the providers' peak memory and CPU are reported apart from the
    /// client's, the API's and the verifier's.
    /// </summary>
    public bool ProviderProcesses { get; init; }

    /// <summary>
    /// Runs every role but the client as a process of its own, as operators run them (the API,
    /// each provider, the verifier), so that each role's peak memory and CPU are reported apart;
    /// this process then holds the client alone. Implies <see cref="ProviderProcesses"/>.
    /// </summary>
    public bool RoleProcesses { get; init; }

    /// <summary>The nodes and the client only poll, without log subscriptions (<c>--poll-only</c>), to measure what the subscriptions save.</summary>
    public bool PollOnly { get; init; }

    /// <summary>Payloads in the clear (<c>--public</c>), to measure what encryption costs against the default, encrypted run.</summary>
    public bool Public { get; init; }

    /// <summary>Folder for the run's chain deployment, databases and blobs; a fresh temporary folder, removed afterwards, when null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How long the network's run may take. Default 15 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Checks the options; returns the first problem, or null.</summary>
    public string? Problem() =>
        Tasks is < 1 or > 100_000 ? "--tasks must be 1-100000"
        : TasksPerJob is < 1 or > 4_096 ? "--tasks-per-job must be 1-4096"
        : Providers < 1 ? "--providers must be at least 1"
        : Network().Problem();

    /// <summary>
    /// The demo's network, honest, with one verifier: every role is the demo's own, with its
    /// windows and audit rate, so the figures are those of the network users run.
    /// </summary>
    internal Demo.DemoOptions Network() => new()
    {
        Model = Model,
        Tasks = Tasks,
        TasksPerJob = TasksPerJob,
        Providers = Providers,
        Verifiers = 1,
        Public = Public,
        ProviderProcesses = ProviderProcesses,
        RoleProcesses = RoleProcesses,
        PollOnly = PollOnly,
        CheatRate = 0,
        Device = Device,
        DataDirectory = DataDirectory,
        Timeout = Timeout,
        WarmUpTasks = WarmUpTasks,
    };
}
