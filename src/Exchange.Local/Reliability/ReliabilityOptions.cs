namespace Exchange.Local.Reliability;

/// <summary>What <see cref="ReliabilityCampaign"/> runs and with which program.</summary>
public sealed record ReliabilityOptions
{
    /// <summary>The scenarios, in the order they run.</summary>
    public static readonly IReadOnlyList<string> Scenarios = [BadInputsScenario.Name, KillScenario.Name, ApiOutageScenario.Name, RpcOutageScenario.Name, ReorgScenario.Name, ConcurrentClientsScenario.Name, FuzzScenario.Name];

    /// <summary>The <c>exchange</c> program every role runs as: its file and the arguments before the command (<c>dotnet exchange.dll</c>).</summary>
    public required ExchangeProgram Program { get; init; }

    /// <summary>Shorter runs of the slow scenarios, for a quick check.</summary>
    public bool Quick { get; init; }

    /// <summary>Only these scenarios (default: all of <see cref="Scenarios"/>).</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>Folder for the chain's deployment file, the processes' data and the inputs (default: a temporary folder, deleted afterwards).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Whether a scenario runs.</summary>
    public bool Runs(string scenario) => Only is null || Only.Contains(scenario, StringComparer.Ordinal);

    /// <summary>Why the options cannot run, or null.</summary>
    public string? Problem() =>
        Only?.FirstOrDefault(s => !Scenarios.Contains(s, StringComparer.Ordinal)) is { } unknown
            ? $"unknown scenario '{unknown}' (scenarios: {string.Join(", ", Scenarios)})"
            : null;
}
