using System.Numerics;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Canary;

/// <summary>The canary's log messages.</summary>
internal static partial class CanaryLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "canary ready: client {Client}, provider {Provider}, rate {Rate}, {WrongShare} of each canary's tasks wrong")]
    public static partial void CanaryReady(this ILogger logger, string client, string provider, double rate, double wrongShare);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: canary posted, {Tasks} tasks, wrong tasks {Wrong}")]
    public static partial void CanaryPosted(this ILogger logger, BigInteger jobId, uint tasks, IReadOnlySet<int> wrong);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: canary passed by {Verifier}: appealing (the audit re-ran wrong task {Task})")]
    public static partial void CanaryAppealing(this ILogger logger, BigInteger jobId, string verifier, uint task);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: canary passed by {Verifier}, but the audit's tasks {Tasks} are all right ones: not appealed")]
    public static partial void CanarySampleMissed(this ILogger logger, BigInteger jobId, string verifier, IReadOnlyList<uint> tasks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: canary appeal {Action} refused: {Reason}")]
    public static partial void CanaryAppealRefused(this ILogger logger, BigInteger jobId, string action, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: canary expired: no result by its deadline")]
    public static partial void CanaryExpiring(this ILogger logger, BigInteger jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "expiring overdue canaries refused (tried again next round): {Reason}")]
    public static partial void CanaryExpiryRefused(this ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: canary ended: {Outcome}")]
    public static partial void CanaryEnded(this ILogger logger, BigInteger jobId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "verifier {Verifier} caught passing canary {JobId}: it lost {Penalty}")]
    public static partial void LazyCaught(this ILogger logger, string verifier, BigInteger jobId, string penalty);

    [LoggerMessage(Level = LogLevel.Information, Message = "canaries: {Posted} posted, {Open} open, {Appealed} passes appealed, {Caught} lazy passes caught; spent {Spent}, recovered {Recovered}")]
    public static partial void CanarySummary(this ILogger logger, int posted, int open, int appealed, int caught, decimal spent, decimal recovered);
}
