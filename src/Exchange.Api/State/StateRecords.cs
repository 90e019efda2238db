using System.Text.Json.Nodes;

namespace Exchange.Api.State;

/// <summary>A job as the jobs table lists it.</summary>
/// <param name="Id">The job id.</param>
/// <param name="Status">Its status name (Created, Accepted, Submitted, Unaudited, Auditing, Disputed, Settled, Slashed, Expired).</param>
/// <param name="Audit">
/// Its audit: <c>none</c> (no draw yet), <c>not-drawn</c> (the draw passed it over), <c>pending</c> (a verifier is
/// being drawn or owes a verdict), <c>passed</c>, <c>disputed</c> (a fail verdict is before a committee), <c>failed</c>
/// (the provider was ruled wrong), <c>overturned</c> (a fail verdict the committee ruled against) or <c>unverified</c>
/// (settled because no verifier could be drawn or both drawn stayed silent), and <c>pass-appealable</c> (a verifier passed it and
/// the pass may still be appealed: the job is not settled yet).
/// </param>
/// <param name="Settlement">
/// How a settled job settled: <c>audited</c> (a pass that stood, or a ruling for the provider), <c>unaudited</c> (the draw passed it
/// over: nobody checked it) or <c>unverified</c> (no verifier could be drawn, or both drawn stayed silent); null while not settled.
/// </param>
/// <param name="Appeals">Appeals of the job: a verifier's pass appealed counts one, and each committee round after the first.</param>
/// <param name="Client">The client's address.</param>
/// <param name="Provider">The provider's address.</param>
/// <param name="ModelId">The model's id.</param>
/// <param name="TaskCount">Tasks in the job.</param>
/// <param name="UnitPrice">Price per task, decimal string.</param>
/// <param name="GasUsed">Gas of the job's transactions; a batch transaction's gas is shared equally by its jobs.</param>
/// <param name="GasPerTask"><paramref name="GasUsed"/> divided by <paramref name="TaskCount"/>.</param>
/// <param name="UpdatedAt">UNIX time of the block of its latest event.</param>
public record JobSummary(
    long Id, string Status, string Audit, string? Settlement, long Appeals, string Client, string Provider, string ModelId, long TaskCount, string UnitPrice,
    long GasUsed, double? GasPerTask, long UpdatedAt);

/// <summary>A job with its full record, acceptance, draw, audit, dispute, outcome and the timeline of its events.</summary>
/// <param name="Id">The job id.</param>
/// <param name="Status">Its status name.</param>
/// <param name="Audit">Its audit, as in <see cref="JobSummary"/>.</param>
/// <param name="Settlement">How it settled, as in <see cref="JobSummary"/>.</param>
/// <param name="Appeals">Its appeals, as in <see cref="JobSummary"/>.</param>
/// <param name="Client">The client's address.</param>
/// <param name="Provider">The provider's address.</param>
/// <param name="ModelId">The model's id.</param>
/// <param name="TaskCount">Tasks in the job.</param>
/// <param name="UnitPrice">Price per task, decimal string.</param>
/// <param name="GasUsed">Gas of the job's transactions.</param>
/// <param name="GasPerTask"><paramref name="GasUsed"/> divided by <paramref name="TaskCount"/>.</param>
/// <param name="UpdatedAt">UNIX time of the block of its latest event.</param>
/// <param name="Deadline">The result is due by then (UNIX time).</param>
/// <param name="TasksRoot">Merkle root of its tasks.</param>
/// <param name="ManifestHash">Hash of its manifest blob.</param>
/// <param name="ResultRoot">Merkle root of its results (zero until submitted).</param>
/// <param name="OutputsHash">Hash of its output manifest blob (zero until submitted).</param>
/// <param name="SubmittedAt">When its result was submitted (0 until then).</param>
/// <param name="SubmitBlock">The block of the submission (0 until then).</param>
/// <param name="Price">Unit price times tasks, decimal string.</param>
/// <param name="Collateral">Taken from the provider's free collateral, decimal string.</param>
/// <param name="AcceptedAt">When the provider accepted it (UNIX time), or null.</param>
/// <param name="DrawSeed">The seed that fixed its audit draw (zero for a lapsed draw), or null while not fixed.</param>
/// <param name="AuditOrigin">Why it was audited: <c>Drawn</c>, <c>Lapsed</c> or <c>ClientRequested</c>; null when never audited.</param>
/// <param name="AuditFee">What the client paid for its audit request, or null.</param>
/// <param name="Verifier">The verifier drawn last, or null.</param>
/// <param name="AuditDeadline">That verifier's deadline (UNIX time), or null.</param>
/// <param name="AuditTimeouts">Drawn verifiers that stayed silent.</param>
/// <param name="VerdictPass">The verdict: true pass, false fail, null none.</param>
/// <param name="EvidenceHash">The verdict's evidence blob, or null.</param>
/// <param name="AuditReward">
/// The audit reward paid: to the verifier once its pass stood, or to a challenger the ruling proved right (the failing
/// verifier, or a pass's appellant); null until then.
/// </param>
/// <param name="PassDeadline">A pass verdict may be appealed until then (UNIX time); null when no verifier passed it.</param>
/// <param name="Payout">Credited to the provider when it settled.</param>
/// <param name="Refund">Credited to the client when it expired.</param>
/// <param name="Slashed">Taken from the provider's stake (expiry or a lost dispute).</param>
/// <param name="Dispute">Its dispute with every committee round, or null.</param>
/// <param name="Timeline">Every event of the job, in chain order.</param>
public sealed record JobDetail(
    long Id, string Status, string Audit, string? Settlement, long Appeals, string Client, string Provider, string ModelId, long TaskCount, string UnitPrice,
    long GasUsed, double? GasPerTask, long UpdatedAt,
    long Deadline, string TasksRoot, string ManifestHash, string ResultRoot, string OutputsHash, long SubmittedAt, long SubmitBlock,
    string Price, string Collateral, long? AcceptedAt, string? DrawSeed, string? AuditOrigin, string? AuditFee, string? Verifier, long? AuditDeadline,
    long AuditTimeouts, bool? VerdictPass, string? EvidenceHash, string? AuditReward, long? PassDeadline,
    string? Payout, string? Refund, string? Slashed, DisputeView? Dispute, IReadOnlyList<TimelineEntry> Timeline)
    : JobSummary(Id, Status, Audit, Settlement, Appeals, Client, Provider, ModelId, TaskCount, UnitPrice, GasUsed, GasPerTask, UpdatedAt);

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

/// <summary>A job's dispute in the court.</summary>
/// <param name="OpenedBy"><c>fail-verdict</c> (the drawn verifier failed the job) or <c>pass-appeal</c> (the client or a staked verifier appealed a pass).</param>
/// <param name="Challenger">Who opened it and funded round 0: the failing verifier, or the pass's appellant.</param>
/// <param name="EvidenceHash">The fail verdict's evidence blob (zero for a pass appeal).</param>
/// <param name="PassingVerifier">The verifier whose appealed pass it judges, or null.</param>
/// <param name="Held">What the court holds for the job now (bonds, penalties, slashed collateral), decimal string.</param>
/// <param name="Resolved">Whether the final ruling was made.</param>
/// <param name="ProviderWrong">The final ruling, once resolved.</param>
/// <param name="Slashed">The provider's slashed collateral when it was ruled wrong.</param>
/// <param name="FalsePassPenalty">What the passing verifier lost when its pass was ruled wrong, or null.</param>
/// <param name="Rounds">Its committee rounds, in order: round 0 funded by the challenger, each later one by an appeal.</param>
public sealed record DisputeView(
    string OpenedBy, string Challenger, string EvidenceHash, string? PassingVerifier, string Held, bool Resolved, bool? ProviderWrong, string? Slashed,
    string? FalsePassPenalty, IReadOnlyList<RoundView> Rounds);

/// <summary>One committee round of a dispute.</summary>
/// <param name="Round">Its index.</param>
/// <param name="Funder">Who posted its bond: the challenger for round 0, the appellant after.</param>
/// <param name="FundedSide"><c>provider-wrong</c> or <c>provider-right</c>: the side of the funder's bond.</param>
/// <param name="Bond">The bond, decimal string.</param>
/// <param name="Size">Members it draws at most.</param>
/// <param name="Drawn">Whether its committee was drawn.</param>
/// <param name="CommitDeadline">Votes are committed until then (UNIX time; 0 before the draw).</param>
/// <param name="RevealDeadline">And revealed until then.</param>
/// <param name="Members">Its members and their votes, in draw order.</param>
/// <param name="VotesWrong">Revealed votes saying the provider was wrong.</param>
/// <param name="VotesRight">Revealed votes saying it was right.</param>
/// <param name="Closed">Whether it ruled.</param>
/// <param name="Ruling"><c>provider-wrong</c> or <c>provider-right</c> once closed, else null.</param>
/// <param name="AppealDeadline">Its ruling may be appealed until then (UNIX time), once closed.</param>
public sealed record RoundView(
    long Round, string Funder, string FundedSide, string Bond, long Size, bool Drawn, long CommitDeadline, long RevealDeadline,
    IReadOnlyList<VoteView> Members, long VotesWrong, long VotesRight, bool Closed, string? Ruling, long AppealDeadline);

/// <summary>A committee member's vote.</summary>
/// <param name="Member">The member.</param>
/// <param name="Committed">Whether it committed a sealed vote.</param>
/// <param name="Vote"><c>provider-wrong</c> or <c>provider-right</c> once revealed, else null.</param>
/// <param name="Penalty">Stake it lost for voting against the final ruling or not at all, or null.</param>
public sealed record VoteView(string Member, bool Committed, string? Vote, string? Penalty);

/// <summary>A provider: its stake, collateral, reputation and earnings.</summary>
/// <param name="Address">The account.</param>
/// <param name="Stake">Stake in the vault, decimal string.</param>
/// <param name="Locked">Stake the market locked as collateral, free or in jobs.</param>
/// <param name="FreeCollateral">The part of <paramref name="Locked"/> not in a job: what new jobs take their collateral from.</param>
/// <param name="Unbonding">Stake waiting out the unbonding delay.</param>
/// <param name="JobsSettled">Jobs settled in its favour.</param>
/// <param name="AuditsPassed">Audits of its jobs that passed.</param>
/// <param name="AuditsFailed">Audits of its jobs that failed (it was ruled wrong).</param>
/// <param name="Slashes">Times slashed.</param>
/// <param name="Earnings">Payouts of settled jobs and court credits, less the bonds it posted in disputes that ended, decimal string.</param>
/// <param name="JobsInFlight">Its jobs not yet settled, slashed or expired.</param>
public sealed record ProviderView(
    string Address, string Stake, string Locked, string FreeCollateral, string Unbonding, long JobsSettled, long AuditsPassed, long AuditsFailed,
    long Slashes, string Earnings, long JobsInFlight);

/// <summary>A verifier: its stake and draw weight, the audits it judged, its committee work, what it lost and what it earned.</summary>
/// <param name="Address">The account.</param>
/// <param name="Stake">Stake in the vault, decimal string.</param>
/// <param name="Locked">Stake locked by the market (none for a verifier unless it also provides).</param>
/// <param name="Unbonding">Stake waiting out the unbonding delay.</param>
/// <param name="ActiveVerifier">Whether it has draw weight (from <paramref name="WeightEpoch"/> on).</param>
/// <param name="DrawWeight">Its latest draw weight, decimal string.</param>
/// <param name="WeightEpoch">The epoch that weight takes effect.</param>
/// <param name="Verdicts">Audits it judged: verdicts delivered as a drawn verifier.</param>
/// <param name="Passes">Of those, passes.</param>
/// <param name="Fails">Of those, fails.</param>
/// <param name="PassesOverturned">
/// Passes it gave that were appealed and ruled wrong: a canary (or any appellant) caught it passing a
/// wrong result. The chain cannot tell a canary from another job, so every such appeal counts.
/// </param>
/// <param name="Timeouts">Audits it let time out.</param>
/// <param name="Votes">Committee votes revealed.</param>
/// <param name="Penalties">Committee votes penalised (against the final ruling, or missing).</param>
/// <param name="Penalised">Stake taken by timeouts, committee penalties and passes ruled wrong, decimal string.</param>
/// <param name="Slashes">Times slashed.</param>
/// <param name="Earnings">
/// Audit rewards, coherence shares and bonds won, as credited to it, less the bonds it posted in
/// disputes that ended, decimal string. Stake it lost is <paramref name="Penalised"/>, not netted here.
/// </param>
/// <param name="JobsInFlight">Audits it owes and open committees it sits on.</param>
public sealed record VerifierView(
    string Address, string Stake, string Locked, string Unbonding, bool ActiveVerifier, string DrawWeight, long WeightEpoch, long Verdicts, long Passes,
    long Fails, long PassesOverturned, long Timeouts, long Votes, long Penalties, string Penalised, long Slashes, string Earnings, long JobsInFlight);

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
/// <param name="Verifiers">Verifiers with draw weight.</param>
/// <param name="Audits">Jobs the court audited (drawn, lapsed or requested).</param>
/// <param name="Verdicts">Verdicts delivered.</param>
/// <param name="Disputes">Disputes opened (by fail verdicts and by pass appeals).</param>
/// <param name="PassAppeals">Disputes opened by appealing a pass.</param>
/// <param name="PassesOverturned">Passes ruled wrong on appeal.</param>
/// <param name="Votes">Committee votes revealed.</param>
/// <param name="Penalties">Verifier timeouts and committee penalties.</param>
/// <param name="VerificationPool">The market's verification pool, decimal string.</param>
/// <param name="CourtHold">What the court holds in the market while disputes run, decimal string.</param>
/// <param name="LatestBlock">The latest indexed block, or null before any.</param>
/// <param name="Throughput">Tasks settled per minute over the last hour of chain time, oldest first.</param>
public sealed record NetworkStats(
    long Jobs, IReadOnlyDictionary<string, long> JobsByStatus, long TasksSettled, Rates TasksPerSecond, double? GasPerTask, long Slashes,
    long Providers, long Verifiers, long Audits, long Verdicts, long Disputes, long PassAppeals, long PassesOverturned, long Votes, long Penalties, string VerificationPool, string CourtHold,
    long? LatestBlock, IReadOnlyList<MinutePoint> Throughput);

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
