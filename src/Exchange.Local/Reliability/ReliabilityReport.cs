namespace Exchange.Local.Reliability;

/// <summary>
/// What the campaign did and what was lost: the figures a run is judged by, then each scenario's
/// details. <see cref="Ok"/> is false when any figure is wrong; the CLI then exits non-zero.
/// </summary>
/// <param name="Ok">Every figure as it must be, for the scenarios that ran.</param>
/// <param name="Quick">Whether the slow scenarios ran their short versions.</param>
/// <param name="Ran">The scenarios that ran, in order.</param>
/// <param name="NotRun">The scenarios of the full campaign that did not run, each with why.</param>
/// <param name="Seconds">Wall time of the whole campaign.</param>
/// <param name="Lost">Jobs, tasks and tokens an honest party lost.</param>
/// <param name="Duplicates">Submissions or verdicts counted twice on the chain.</param>
/// <param name="Crashes">Internal errors: exit code 70, a stack trace, a 5xx, a dropped connection.</param>
/// <param name="BadInputsTried">Bad inputs given.</param>
/// <param name="BadInputsAccepted">Bad inputs that succeeded or changed anything.</param>
/// <param name="BadInputsUnclear">Bad inputs refused without one clear line or ProblemDetails.</param>
/// <param name="FuzzCases">Generated cases the property suites ran (null when the fuzz scenario did not run).</param>
/// <param name="Problems">Each wrong figure in words.</param>
/// <param name="BadInputs">Each bad input's outcome.</param>
/// <param name="Kills">The kill -9 scenario's kills and jobs.</param>
/// <param name="Outage">The API outage scenario's jobs and parties.</param>
/// <param name="RpcOutage">The chain endpoint outage's jobs and parties.</param>
/// <param name="Reorg">The reorganisation scenario's jobs and the API's convergence.</param>
/// <param name="Clients">The concurrent clients' jobs and outputs.</param>
/// <param name="Fuzz">The fuzz suites' runs.</param>
public sealed record ReliabilityReport(
    bool Ok,
    bool Quick,
    IReadOnlyList<string> Ran,
    IReadOnlyDictionary<string, string> NotRun,
    double Seconds,
    Lost Lost,
    int Duplicates,
    int Crashes,
    int BadInputsTried,
    int BadInputsAccepted,
    int BadInputsUnclear,
    long? FuzzCases,
    IReadOnlyList<string> Problems,
    IReadOnlyList<BadInputResult>? BadInputs,
    KillResult? Kills,
    OutageResult? Outage,
    RpcOutageResult? RpcOutage,
    ReorgResult? Reorg,
    ClientsResult? Clients,
    FuzzResult? Fuzz);

/// <summary>What honest parties lost.</summary>
/// <param name="Jobs">Jobs that did not end (settled, slashed or expired with the money returned).</param>
/// <param name="Tasks">Tasks whose outputs the client did not get or could not prove.</param>
/// <param name="Tokens">Tokens (in whole-token units, decimal) missing from an honest party or from the supply.</param>
public sealed record Lost(int Jobs, int Tasks, string Tokens);
