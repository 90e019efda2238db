namespace Exchange.Cli.Infrastructure;

/// <summary>The exit codes of every <c>exchange</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command failed for a reason printed on stderr (bad input, chain revert, unreachable node, ...).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: unknown option, missing argument, bad value.</summary>
    public const int Usage = 2;

    /// <summary>The command ran, and a job it reports ended slashed or expired: the client did not get what it paid for.</summary>
    public const int JobsFailed = 3;

    /// <summary>An unexpected internal error (a bug); --verbose prints the stack trace.</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
