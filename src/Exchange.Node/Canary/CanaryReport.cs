using System.Text.Json.Serialization;

namespace Exchange.Node.Canary;

/// <summary>What the canary service did so far, from its records and its accounts' holdings (amounts in tokens).</summary>
/// <param name="Posted">Canaries posted.</param>
/// <param name="Open">Canaries not ended yet.</param>
/// <param name="Unaudited">Canaries that settled without an audit (they tested nobody).</param>
/// <param name="Failed">Canaries a verifier failed (it did the work): their provider, the canary's own, was slashed.</param>
/// <param name="PassesAppealed">Passes of canaries the service appealed.</param>
/// <param name="LazyCaught">Appealed passes ruled wrong: the passing verifier was penalised.</param>
/// <param name="CaughtVerifiers">The verifiers caught passing a canary, each once.</param>
/// <param name="PassesStood">Passes left unappealed because the audit's sample held no wrong task.</param>
/// <param name="AppealsLost">Disputes over a canary ruled "provider right": an appeal of a pass lost, or a verifier's fail overturned by a committee that did not re-run the tasks either.</param>
/// <param name="Expired">Canaries that expired.</param>
/// <param name="PenaltiesTaken">What the caught verifiers lost, in total.</param>
/// <param name="Spent">What left the two accounts for the canaries: each one's price and fees, the bonds of the appeals, and the provider's collateral slashed for canaries ruled wrong.</param>
/// <param name="Recovered">What came back to the two accounts: <see cref="Spent"/> plus the change in their holdings.</param>
/// <param name="GasEther">Native currency the two accounts spent on gas, in ether.</param>
public sealed record CanaryReport(
    [property: JsonPropertyName("posted")] int Posted,
    [property: JsonPropertyName("open")] int Open,
    [property: JsonPropertyName("unaudited")] int Unaudited,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("passesAppealed")] int PassesAppealed,
    [property: JsonPropertyName("lazyCaught")] int LazyCaught,
    [property: JsonPropertyName("caughtVerifiers")] IReadOnlyList<string> CaughtVerifiers,
    [property: JsonPropertyName("passesStood")] int PassesStood,
    [property: JsonPropertyName("appealsLost")] int AppealsLost,
    [property: JsonPropertyName("expired")] int Expired,
    [property: JsonPropertyName("penaltiesTaken")] decimal PenaltiesTaken,
    [property: JsonPropertyName("spent")] decimal Spent,
    [property: JsonPropertyName("recovered")] decimal Recovered,
    [property: JsonPropertyName("gasEther")] decimal GasEther)
{
    /// <summary>What the canaries cost in tokens, net: <see cref="Spent"/> − <see cref="Recovered"/>.</summary>
    [JsonPropertyName("netCost")]
    public decimal NetCost => Spent - Recovered;
}
