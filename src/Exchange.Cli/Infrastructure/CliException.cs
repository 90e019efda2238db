namespace Exchange.Cli.Infrastructure;

/// <summary>A failure whose message is the whole story for the user: printed as one line, exit code <see cref="ExitCode"/>.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Failed)
        : base(message) => ExitCode = exitCode;

    public CliException(string message, Exception innerException, int exitCode = ExitCodes.Failed)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>The process exit code for this failure.</summary>
    public int ExitCode { get; }
}
