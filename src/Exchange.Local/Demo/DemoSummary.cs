using System.Text.Json.Serialization;
using Exchange.Node.Canary;
using Exchange.Node.Client;

namespace Exchange.Local.Demo;

/// <summary>The demo's outcome, printed as text or (<c>--json</c>) as one JSON object.</summary>
public sealed record DemoSummary(
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("jobs")] DemoJobCounts Jobs,
    [property: JsonPropertyName("cheaterSlashes")] int CheaterSlashes,
    [property: JsonPropertyName("balances")] IReadOnlyDictionary<string, DemoBalance> Balances,
    [property: JsonPropertyName("conserved")] bool Conserved,
    [property: JsonPropertyName("tasksPerSecond")] double TasksPerSecond,
    [property: JsonPropertyName("gasPerTask")] double GasPerTask)
{
    /// <summary>Canary jobs the canary service posted.</summary>
    [JsonPropertyName("canaries")]
    public int Canaries { get; init; }

    /// <summary>Passes of canaries appealed and ruled wrong: each cost its verifier a penalty.</summary>
    [JsonPropertyName("lazyCaught")]
    public int LazyCaught { get; init; }

    /// <summary>The demo's dishonest verifiers (by role name) that no canary caught.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Uncaught { get; init; } = [];

    /// <summary>The canary service's own account of its canaries, when it ran.</summary>
    [JsonIgnore]
    public CanaryReport? Canary { get; init; }

    /// <summary>The providers that ran as processes of their own (<see cref="DemoOptions.ProviderProcesses"/>); empty otherwise.</summary>
    [JsonIgnore]
    public IReadOnlyList<RoleProcessUsage> ProviderProcesses { get; init; } = [];

    /// <summary>The API when it ran as a process of its own (<see cref="DemoOptions.RoleProcesses"/>); null otherwise.</summary>
    [JsonIgnore]
    public RoleProcessUsage? ApiProcess { get; init; }

    /// <summary>The verifiers that ran as processes of their own (<see cref="DemoOptions.RoleProcesses"/>); empty otherwise.</summary>
    [JsonIgnore]
    public IReadOnlyList<RoleProcessUsage> VerifierProcesses { get; init; } = [];

    /// <summary>The job size the client used, and the gas and time per job it expected.</summary>
    [JsonIgnore]
    public JobSize? JobSize { get; init; }

    /// <summary>Tasks per job the client used (the largest job).</summary>
    [JsonPropertyName("tasksPerJob")]
    public int? TasksPerJob => JobSize?.TasksPerJob;

    /// <summary>Where the dashboard of the demo's API was served.</summary>
    [JsonIgnore]
    public Uri? Dashboard { get; init; }

    /// <summary>Audits the verifiers passed and failed.</summary>
    [JsonIgnore]
    public (int Passed, int Failed) Audits { get; init; }

    /// <summary>Seconds the whole run took.</summary>
    [JsonIgnore]
    public double Seconds { get; init; }

    /// <summary>Where the client's wall time went, from its first upload to the last job's end.</summary>
    [JsonIgnore]
    public DemoPhases? Phases { get; init; }
}

/// <summary>
/// The client's wall time by phase, one after another, in seconds: the sum is the time from its
/// first upload to the last job's end. The CPU a stage costs does not show waiting; these do.
/// </summary>
/// <param name="Upload">Inputs encoded, encrypted and uploaded, and the manifests (with the deposit).</param>
/// <param name="Creation">The jobs created on the chain.</param>
/// <param name="Results">Until every job's results are on the chain: the providers' checks, acceptances, computations, output uploads and submissions.</param>
/// <param name="Settlement">Until every job has ended: audits and, for an audited pass, its appeal window.</param>
public sealed record DemoPhases(
    [property: JsonPropertyName("upload")] double Upload,
    [property: JsonPropertyName("creation")] double Creation,
    [property: JsonPropertyName("results")] double Results,
    [property: JsonPropertyName("settlement")] double Settlement)
{
    /// <summary>The phases from the moments each ended, counted from the first upload.</summary>
    public static DemoPhases From(TimeSpan uploaded, TimeSpan created, TimeSpan computed, TimeSpan ended)
    {
        static double Round(TimeSpan span) => Math.Round(Math.Max(0, span.TotalSeconds), 3);
        computed = TimeSpan.FromTicks(Math.Min(computed.Ticks, ended.Ticks));
        return new(Round(uploaded), Round(created - uploaded), Round(computed - created), Round(ended - computed));
    }
}

/// <summary>Jobs by how they ended.</summary>
public sealed record DemoJobCounts(
    [property: JsonPropertyName("settled")] int Settled,
    [property: JsonPropertyName("slashed")] int Slashed,
    [property: JsonPropertyName("expired")] int Expired,
    [property: JsonPropertyName("pending")] int Pending);

/// <summary>A party's holdings (tokens + market balance + stake) before and after, in whole tokens.</summary>
public sealed record DemoBalance(
    [property: JsonPropertyName("before")] decimal Before,
    [property: JsonPropertyName("after")] decimal After);

/// <summary>What a role that ran as a process of its own used.</summary>
/// <param name="Name">The role's name.</param>
/// <param name="WindowCpu">Its CPU time (user + system) while the client's workload was measured (<see cref="Core.Diagnostics.StageMeter"/>'s window).</param>
/// <param name="PeakResidentBytes">Its peak resident memory over its whole run (<c>VmHWM</c>).</param>
public sealed record RoleProcessUsage(string Name, TimeSpan WindowCpu, long PeakResidentBytes);
