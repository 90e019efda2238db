using Exchange.Node.Client;
using Microsoft.Extensions.Logging;

namespace Exchange.Local.Demo;

/// <summary>The demo's log messages, source-generated so that a disabled level costs nothing.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Step} failed ({Failures}): {Reason}")]
    public static partial void StepFailed(this ILogger logger, string step, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "chain {Rpc}, data in {Data}")]
    public static partial void DemoChain(this ILogger logger, Uri rpc, string data);

    [LoggerMessage(Level = LogLevel.Information, Message = "deployed: market {Market}, vault {Vault}, token {Token}")]
    public static partial void DemoDeployed(this ILogger logger, string market, string vault, string token);

    [LoggerMessage(Level = LogLevel.Information, Message = "exchange API and dashboard at {Url}")]
    public static partial void DemoApi(this ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "client sizes its jobs: {JobSize}")]
    public static partial void DemoJobSize(this ILogger logger, JobSize jobSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "client created {Jobs} jobs for {Tasks} tasks")]
    public static partial void DemoJobs(this ILogger logger, int jobs, int tasks);
}
