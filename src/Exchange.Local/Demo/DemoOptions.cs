using Exchange.Chain.Wallets;
using Exchange.Inference.Devices;
using Exchange.Inference.Models;
using Exchange.Node.Client;
using Exchange.Node.Provider;

namespace Exchange.Local.Demo;

/// <summary>What <c>exchange demo</c> runs: the network's size, the workload, the cheater, dishonest verifiers and canaries.</summary>
public sealed record DemoOptions
{
    /// <summary>The providers' <c>maxTasks</c> when the client chooses the job size.</summary>
    public const int AutoMaxTasks = 1_024;

    /// <summary>
    /// The workload of a run with a dishonest verifier, which only canaries catch: canaries are a
    /// share of the client's jobs and catch it only in the audits it is drawn for, so it runs many
    /// small jobs, half of them audited (gas per task is not what such a run shows): 200 tasks in
    /// jobs of 8, audit rate 5000 bps, 4 tasks re-run per audit.
    /// </summary>
    public static DemoOptions CanaryWorkload { get; } = new() { Tasks = 200, TasksPerJob = 8, AuditRateBps = 5_000, AuditedTasksPerJob = 4 };

    /// <summary>Providers; the last one cheats when <see cref="CheatRate"/> is above 0. Default 2.</summary>
    public int Providers { get; init; } = 2;

    /// <summary>Verifiers. Default 3.</summary>
    public int Verifiers { get; init; } = 3;

    /// <summary>
    /// Tasks the client submits: synthetic images, or synthetic sentences for a text model. Default
    /// 1024: enough that the jobs' fixed gas and the cheater's dispute come to under 2,000 gas per task.
    /// </summary>
    public int Tasks { get; init; } = 1_024;

    /// <summary>Tasks per job; null lets the client choose (<see cref="JobSizing"/>: one job per provider at the default settings). Default null.</summary>
    public int? TasksPerJob { get; init; }

    /// <summary>Share of the cheater's tasks that are falsified; 0 for an honest network. Default 0.3.</summary>
    public double CheatRate { get; init; } = 0.3;

    /// <summary>How the cheater falsifies. Default <see cref="CheatMode.Perturb"/>.</summary>
    public CheatMode Cheat { get; init; } = CheatMode.Perturb;

    /// <summary>Seed of the images and of the cheat. Default 7.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>
    /// The model, by name: <c>resnet18-u8</c> (default) takes images as bytes, <c>resnet18</c> as
    /// floats (four times the bytes per task, the same outputs), <c>minilm</c> sentences.
    /// </summary>
    public string Model { get; init; } = BuiltInModels.ResNet18Bytes;

    /// <summary>
    /// Tasks of a job that the client runs to its settlement before its workload, on the same
    /// network (<c>bench e2e --warm-up</c>): the API's routes, the stores' queries and every role's
    /// code are then compiled as in a node that has run for a while, and the workload's figures
    /// (gas, phases, job counts) leave it out. 0 runs none. Default 0.
    /// </summary>
    public int WarmUpTasks { get; init; }

    /// <summary>
    /// Runs each provider as a process of its own (<c>exchange provider run</c>, the model on its
    /// default device) instead of in this one, so that its memory and CPU are its own
    /// (<c>bench e2e --provider-processes</c>). Default false.
    /// </summary>
    public bool ProviderProcesses { get; init; }

    /// <summary>
    /// Runs every role but the client as a process of its own, as operators run them: the API
    /// (<c>exchange api run</c>), each provider and each verifier (<c>exchange verifier run</c>),
    /// so that each one's memory and CPU are its own (<c>bench e2e --role-processes</c>). Implies
    /// <see cref="ProviderProcesses"/>. Default false.
    /// </summary>
    public bool RoleProcesses { get; init; }

    /// <summary>
    /// The nodes and the client only poll (every 250 ms), as with a chain that serves no WebSocket
    /// endpoint, instead of subscribing to the logs they wait for on the chain this network
    /// started (<c>bench e2e --poll-only</c>, to measure what the subscriptions save). Default false.
    /// </summary>
    public bool PollOnly { get; init; }

    /// <summary>Where the providers and verifiers run the model. Default auto: CUDA when it loads, else the CPU.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Auto;

    /// <summary>An existing chain (its dev accounts must be Hardhat's); null starts a local Hardhat node.</summary>
    public Uri? Rpc { get; init; }

    /// <summary>
    /// Share of jobs audited, bps. Default 10000 (every job): with jobs few and large, the
    /// cheater's one job must be audited for it to be caught.
    /// </summary>
    public uint AuditRateBps { get; init; } = 10_000;

    /// <summary>
    /// Tasks an audit re-runs. Default 16: an audit of a job the cheater falsified 30 % of misses
    /// every falsified task in 0.7^16 = 0.3 % of runs.
    /// </summary>
    public uint AuditedTasksPerJob { get; init; } = 16;

    /// <summary>Seconds results wait for a challenge before they settle. Default 3.</summary>
    public ulong ChallengeWindowSeconds { get; init; } = 3;

    /// <summary>Seconds a drawn verifier has for its verdict. Default 60.</summary>
    public ulong AuditWindowSeconds { get; init; } = 60;

    /// <summary>Seconds in which a committee's ruling may be appealed. Default 8.</summary>
    public ulong CourtWindowSeconds { get; init; } = 8;

    /// <summary>
    /// Seconds of a committee's commit window and of its reveal window. Default 60: each closes
    /// early once every member acted, and the chain's clock, a second per block, runs ahead of
    /// the wall clock under the demo's load, so a short window closes before busy members vote.
    /// </summary>
    public ulong VoteWindowSeconds { get; init; } = 60;

    /// <summary>Seconds per epoch of the vault's draw snapshots; the demo moves the chain's clock on by one after staking its verifiers. Default 30.</summary>
    public ulong EpochSeconds { get; init; } = 30;

    /// <summary>
    /// Seconds a job's provider has for its result (at least the offer's turnaround, half of it).
    /// Default 300: both providers' jobs of 512 images share two cores.
    /// </summary>
    public int JobDeadlineSeconds { get; init; } = 300;

    /// <summary>
    /// A provider whose offer takes jobs that it never accepts (to show expiry and refunds): its
    /// jobs expire unaccepted, the client is refunded in full and nobody is penalised. Default false.
    /// </summary>
    public bool SilentProvider { get; init; }

    /// <summary>Whether the client sends its inputs and gets its outputs in the clear, as <c>exchange client submit --public</c>. Default false: encrypted.</summary>
    public bool Public { get; init; }

    /// <summary>Adds a lazy verifier (never re-runs, always passes) beside the honest ones. Default false.</summary>
    public bool LazyVerifier { get; init; }

    /// <summary>Adds a copying verifier (takes the provider's outputs as its own) beside the honest ones. Default false.</summary>
    public bool CopyingVerifier { get; init; }

    /// <summary>
    /// Largest share of all jobs that the canary service's jobs make up, below 1; 0 runs no canary.
    /// Default 0.
    /// </summary>
    public double CanaryRate { get; init; }

    /// <summary>
    /// Stake of a lazy or copying verifier, in tokens: ten times an honest one's, so that the
    /// dishonest verifier is drawn for most audits and the demo's few canaries meet it. Default 10,000.
    /// </summary>
    public int DishonestVerifierStake { get; init; } = 10_000;

    /// <summary>
    /// Seconds a pass verdict may be appealed. Default 20: the chain's clock moves a second per
    /// block, so under the demo's load it runs ahead of the wall clock and a shorter window can
    /// close before a canary has read the pass.
    /// </summary>
    public ulong PassAppealWindowSeconds { get; init; } = 20;

    /// <summary>The dishonest verifiers added beside the honest ones.</summary>
    public int DishonestVerifiers => (LazyVerifier ? 1 : 0) + (CopyingVerifier ? 1 : 0);

    /// <summary>Folder for the databases and blobs, kept after the run; a fresh temporary folder, deleted at the end, when null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How long the whole run may take. Default 15 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Checks the options; returns the first problem, or null.</summary>
    public string? Problem() =>
        Providers < 1 ? "--providers must be at least 1"
        : Verifiers < 1 ? "--verifiers must be at least 1"
        : Tasks < 1 ? "--tasks must be at least 1"
        : WarmUpTasks < 0 ? "the warm-up job's tasks are at least 0"
        : TasksPerJob is < 1 ? "--tasks-per-job must be at least 1"
        : double.IsNaN(CheatRate) || CheatRate < 0 || CheatRate > 1 ? "--cheat-rate must be between 0 and 1"
        : CheatRate > 0 && Providers < 2 ? "a cheating network needs at least 2 providers (one honest)"
        : CheatRate > 0 && (ProviderProcesses || RoleProcesses) ? "providers in processes of their own are honest ones: give --cheat-rate 0"
        : DishonestVerifiers > 0 && RoleProcesses ? "verifiers in processes of their own are honest ones: leave out the lazy and copying verifiers"
        : double.IsNaN(CanaryRate) || CanaryRate < 0 || CanaryRate > 0.9 ? "--canary-rate must be between 0 and 0.9"
        : Verifiers < (2 * DishonestVerifiers) + 1
            ? $"{DishonestVerifiers} dishonest verifier(s) need at least {(2 * DishonestVerifiers) + 1} honest ones (--verifiers), or a committee could rule with them"
        : Providers + Verifiers + DishonestVerifiers + (SilentProvider ? 1 : 0) + (CanaryRate > 0 ? 2 : 0) + 2 > DevAccounts.FundedCount
            ? $"at most {DevAccounts.FundedCount - 2} providers, verifiers and canary accounts together (the funded dev accounts)"
        : AuditRateBps > 10_000 ? "the audit rate is at most 10000 bps"
        : AuditedTasksPerJob < 1 ? "an audit re-runs at least 1 task"
        : AuditWindowSeconds < 1 || CourtWindowSeconds < 1 || VoteWindowSeconds < 1 || PassAppealWindowSeconds < 1 || EpochSeconds < 1 ? "the court's windows and the epoch are at least 1 second"
        : JobDeadlineSeconds < 10 ? "a job's deadline is at least 10 seconds"
        : null;
}
