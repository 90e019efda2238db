using System.Numerics;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Privacy;

/// <summary>Log messages of private jobs. They name jobs, tasks and addresses, never a key or a secret.</summary>
internal static partial class PrivacyLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: revealed the keys of tasks {Tasks} to {Recipient}")]
    public static partial void KeysRevealed(this ILogger logger, BigInteger jobId, string tasks, string recipient);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: cannot reveal task keys to {Recipient}: {Reason}")]
    public static partial void RevealFailed(this ILogger logger, BigInteger jobId, string recipient, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: waiting for the provider to reveal the keys of tasks {Tasks}")]
    public static partial void WaitingForKeys(this ILogger logger, BigInteger jobId, string tasks);
}
