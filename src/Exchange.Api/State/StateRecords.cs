using System.Text.Json.Nodes;

namespace Exchange.Api.State;

/// <summary>A job as the jobs table lists it.</summary>
/// <param name="Id">The job id.</param>
/// <param name="Status">Its status name (Created, Submitted, Auditing, Disputed, Settled, Slashed, Expired).</param>
/// <param name="Audit">Its audit: <c>none</c> (no draw yet), <c>not-drawn</c>, <c>pending</c>, <c>passed</c> or <c>failed</c>.</param>
/// <param name="Client">The client's address.</param>
/// <param name="Provider">The provider's address.</param>
/// <param name="ModelId">The model's id.</param>
/// <param name="TaskCount">Tasks in the job.</param>
/// <param name="UnitPrice">Price per task, decimal string.</param>
/// <param name="GasUsed">Gas of the job's transactions; a batch transaction's gas is shared equally by its jobs.</param>
/// <param name="GasPerTask"><paramref name="GasUsed"/> divided by <paramref name="TaskCount"/>.</param>
/// <param name="UpdatedAt">UNIX time of the block of its latest event.</param>
public record JobSummary(
    long Id, string Status, string Audit, string Client, string Provider, string ModelId, long TaskCount, string UnitPrice,
    long GasUsed, double? GasPerTask, long UpdatedAt);

/// <summary>A job with its full record, audit, dispute and the timeline of its events.</summary>
public sealed record JobDetail(
    long Id, string Status, string Audit, string Client, string Provider, string ModelId, long TaskCount, string UnitPrice,
    long GasUsed, double? GasPerTask, long UpdatedAt,
    long Deadline, string TasksRoot, string ManifestHash, string ResultRoot, string OutputsHash, long SubmittedAt, long SubmitBlock,
    string Price, string Collateral, string? Verifier, long? AuditDeadline, bool ClientRequestedAudit, string? EvidenceHash,
    string? Payout, string? Refund, string? Slashed, DisputeView? Dispute, IReadOnlyList<TimelineEntry> Timeline)
    : JobSummary(Id, Status, Audit, Client, Provider, ModelId, TaskCount, UnitPrice, GasUsed, GasPerTask, UpdatedAt);

/// <summary>One event of a job, in chain order.</summary>
/// <param name="Event">The event's name.</param>
/// <param name="BlockNumber">Its block.</param>
/// <param name="Timestamp">Its block's UNIX time.</param>
/// <param name="TransactionHash">Its transaction.</param>
/// <param name="From">The transaction's sender.</param>
/// <param name="GasUsed">Gas of the whole transaction.</param>
/// <param name="Args">The event's arguments by ABI name.</param>
/// <param name="Detail">A one-line reading of the arguments.</param>
public sealed record TimelineEntry(string Event, long BlockNumber, long Timestamp, string TransactionHash, string From, long GasUsed, JsonObject Args, string Detail);

/// <summary>A job's dispute.</summary>
public sealed record DisputeView(
    string Challenger, string Bond, long Deadline, IReadOnlyList<string> Committee, long VotesProviderWrong, long VotesProviderRight,
    bool Resolved, bool? ProviderWrong, string? Slashed);

/// <summary>A staked account: a provider or a verifier.</summary>
/// <param name="Address">The account.</param>
/// <param name="Role">provider or verifier.</param>
/// <param name="Stake">Stake in the vault, decimal string.</param>
/// <param name="Locked">Stake the market locked as collateral, free or in jobs.</param>
/// <param name="FreeCollateral">The part of <paramref name="Locked"/> not in a job: what new jobs take first.</param>
/// <param name="Unbonding">Stake waiting out the unbonding delay.</param>
/// <param name="JobsSettled">Jobs settled in its favour.</param>
/// <param name="AuditsPassed">Audits passed.</param>
/// <param name="AuditsFailed">Audits failed.</param>
/// <param name="Slashes">Times slashed.</param>
/// <param name="ActiveVerifier">Whether it is in the verifier set.</param>
/// <param name="Earnings">Provider payouts from settled jobs plus credits from audits and disputes, decimal string.</param>
/// <param name="JobsInFlight">Its jobs not yet settled, slashed or expired (as provider or drawn verifier).</param>
public sealed record AccountView(
    string Address, string Role, string Stake, string Locked, string FreeCollateral, string Unbonding, long JobsSettled, long AuditsPassed, long AuditsFailed,
    long Slashes, bool ActiveVerifier, string Earnings, long JobsInFlight);

/// <summary>A page of jobs.</summary>
public sealed record JobPage(IReadOnlyList<JobSummary> Items, int Page, int PageSize, long Total);

/// <summary>The network at a glance.</summary>
/// <param name="Jobs">Jobs created.</param>
/// <param name="JobsByStatus">Jobs per status name.</param>
/// <param name="TasksSettled">Tasks of settled jobs.</param>
/// <param name="TasksPerSecond">Tasks settled per second over the last minute, ten minutes and hour of chain time.</param>
/// <param name="GasPerTask">Gas of settled jobs' transactions per task, or null before any settles.</param>
/// <param name="Slashes">Slashing events.</param>
/// <param name="Providers">Accounts staked as providers.</param>
/// <param name="Verifiers">Active verifiers.</param>
/// <param name="LatestBlock">The latest indexed block, or null before any.</param>
/// <param name="Throughput">Tasks settled per minute over the last hour of chain time, oldest first.</param>
public sealed record NetworkStats(
    long Jobs, IReadOnlyDictionary<string, long> JobsByStatus, long TasksSettled, Rates TasksPerSecond, double? GasPerTask, long Slashes,
    long Providers, long Verifiers, long? LatestBlock, IReadOnlyList<MinutePoint> Throughput);

/// <summary>Rates over recent windows.</summary>
public sealed record Rates(double OneMinute, double TenMinutes, double OneHour);

/// <summary>Tasks settled in one minute.</summary>
/// <param name="Minute">UNIX time of the minute's start.</param>
/// <param name="Tasks">Tasks settled in it.</param>
public sealed record MinutePoint(long Minute, long Tasks);

/// <summary>What <c>/events</c> pushes for each indexed event.</summary>
/// <param name="Event">The event's name.</param>
/// <param name="JobId">The job it concerns, if any.</param>
/// <param name="Status">The job's status after it, if it concerns a job.</param>
/// <param name="Account">The first address it names, if any.</param>
/// <param name="BlockNumber">Its block.</param>
/// <param name="TransactionHash">Its transaction.</param>
public sealed record ChainChange(string Event, long? JobId, string? Status, string? Account, long BlockNumber, string TransactionHash);
