using System.Numerics;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Hosting;

/// <summary>The nodes' log messages, source-generated so that a disabled level costs nothing.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Step} failed ({Failures}): {Reason}")]
    public static partial void StepFailed(this ILogger logger, string step, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "provider {Address} offers {Model} at {Price} per task (cheat {Cheat} {Rate})")]
    public static partial void ProviderReady(this ILogger logger, string address, string model, string price, Provider.CheatMode cheat, double rate);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Tasks} tasks for {Client}")]
    public static partial void JobSeen(this ILogger logger, BigInteger jobId, uint tasks, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: computed {Tasks} tasks, {Falsified} falsified")]
    public static partial void JobComputed(this ILogger logger, BigInteger jobId, uint tasks, int falsified);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: its computation during the check failed; it is computed again once accepted: {Reason}")]
    public static partial void EarlyComputationFailed(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: computed only after its check: its client {Client} sent a job with invalid or missing data before")]
    public static partial void ComputedAfterCheck(this ILogger logger, BigInteger jobId, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: refused: {Reason}")]
    public static partial void JobRefused(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: will retry in {Wait:0.0} s (failure {Failures}): {Reason}")]
    public static partial void JobRetry(this ILogger logger, BigInteger jobId, double wait, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: dropped, it can no longer succeed ({Outcome}): {Reason}")]
    public static partial void JobDropped(this ILogger logger, BigInteger jobId, string outcome, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: forgotten in state {State}: a reorg dropped its creation")]
    public static partial void JobDroppedByReorg(this ILogger logger, BigInteger jobId, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "chain idle: mined block {Number} with a transfer to self (waiting for block {Needed})")]
    public static partial void BlockMined(this ILogger logger, ulong number, ulong needed);

    [LoggerMessage(Level = LogLevel.Information, Message = "submitted {Count} result(s) in {Tx} (gas {Gas})")]
    public static partial void ResultsSubmitted(this ILogger logger, int count, string tx, BigInteger gas);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {JobId}: not settled yet: {Reason}")]
    public static partial void NotSettled(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "withdrew {Amount}")]
    public static partial void Withdrew(this ILogger logger, BigInteger amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "verifier {Address} ready")]
    public static partial void VerifierReady(this ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Kind} drawn to this verifier")]
    public static partial void WorkDrawn(this ILogger logger, BigInteger jobId, string kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {JobId}: no draw to read: {Reason}")]
    public static partial void NoDraw(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Kind} {Verdict}: {Detail}")]
    public static partial void Judged(this ILogger logger, BigInteger jobId, string kind, string verdict, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: cannot judge yet, will retry in {Wait:0.0} s: {Reason}")]
    public static partial void CannotJudge(this ILogger logger, BigInteger jobId, double wait, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Kind} sent in {Tx}")]
    public static partial void WorkSent(this ILogger logger, BigInteger jobId, string kind, string tx);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: {Kind} refused: {Reason}")]
    public static partial void WorkRefused(this ILogger logger, BigInteger jobId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: dispute resolved")]
    public static partial void DisputeResolved(this ILogger logger, BigInteger jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {JobId}: dispute not decided yet: {Reason}")]
    public static partial void DisputeOpen(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: manifest and inputs checked")]
    public static partial void JobChecked(this ILogger logger, BigInteger jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: declined (not accepted, no penalty): {Reason}")]
    public static partial void JobDeclined(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: declineJobs not sent ({Reason}); the job expires unaccepted at its deadline")]
    public static partial void DeclineNotSent(this ILogger logger, BigInteger jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "accepted {Count} job(s) in {Tx}")]
    public static partial void JobsAccepted(this ILogger logger, int count, string tx);

    [LoggerMessage(Level = LogLevel.Information, Message = "locked {Amount} more collateral (free collateral kept for {Jobs} max-size jobs)")]
    public static partial void CollateralLocked(this ILogger logger, BigInteger amount, int jobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "free collateral {Free} is below the reserve {Target} and the vault has no free stake to lock")]
    public static partial void CollateralShort(this ILogger logger, BigInteger free, BigInteger target);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: audit draw read: {Audited}")]
    public static partial void DrawRead(this ILogger logger, BigInteger jobId, bool audited);

    [LoggerMessage(Level = LogLevel.Information, Message = "recorded the draw of {Count} job(s) in {Tx}")]
    public static partial void DrawsRecorded(this ILogger logger, int count, string tx);

    [LoggerMessage(Level = LogLevel.Information, Message = "settled {Count} job(s) in {Tx}")]
    public static partial void JobsSettled(this ILogger logger, int count, string tx);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Action}")]
    public static partial void KeeperAction(this ILogger logger, BigInteger jobId, string action);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {JobId}: {Action} not possible yet: {Reason}")]
    public static partial void KeeperRefused(this ILogger logger, BigInteger jobId, string action, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId} round {Round}: vote {Step}")]
    public static partial void VoteStep(this ILogger logger, BigInteger jobId, int round, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId} round {Round}: vote ended: {Reason}")]
    public static partial void VoteEnded(this ILogger logger, BigInteger jobId, int round, string reason);
}
