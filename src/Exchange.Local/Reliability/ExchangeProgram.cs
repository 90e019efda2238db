namespace Exchange.Local.Reliability;

/// <summary>How to start the <c>exchange</c> program as an operator would: its file and the arguments before the command.</summary>
/// <param name="FileName">The executable (<c>dotnet</c>, or the <c>exchange</c> apphost).</param>
/// <param name="Prefix">Arguments before the command (the path of <c>exchange.dll</c> under <c>dotnet</c>).</param>
public sealed record ExchangeProgram(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>The program this process runs, started again: the apphost itself, or <c>dotnet</c> with the entry assembly.</summary>
    public static ExchangeProgram Current()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the program's path is unknown");
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? new ExchangeProgram(path, [System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly")])
            : new ExchangeProgram(path, []);
    }
}
