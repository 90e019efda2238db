using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace Exchange.Chain.Indexing;

/// <summary>One decoded contract event, as stored in <c>chain_events</c> and replayed into the state tables.</summary>
/// <param name="BlockNumber">Block of the log.</param>
/// <param name="LogIndex">Index of the log in its block.</param>
/// <param name="BlockHash">Hash of the block.</param>
/// <param name="BlockTime">Timestamp of the block (UNIX seconds).</param>
/// <param name="TransactionHash">Hash of the emitting transaction.</param>
/// <param name="TransactionFrom">Sender of the transaction.</param>
/// <param name="GasUsed">Gas used by the whole transaction.</param>
/// <param name="Contract">ComputeToken, StakingVault, JobMarket or AuditCourt.</param>
/// <param name="Name">The event's name.</param>
/// <param name="Args">Arguments by ABI name: integers as decimal strings, addresses and bytes as lower-case 0x hex, bools, arrays.</param>
public sealed record IndexedEvent(
    ulong BlockNumber,
    ulong LogIndex,
    string BlockHash,
    ulong BlockTime,
    string TransactionHash,
    string TransactionFrom,
    ulong GasUsed,
    string Contract,
    string Name,
    JsonObject Args)
{
    /// <summary>The job the event concerns (its <c>jobId</c> argument), if any.</summary>
    public long? JobId => Args["jobId"] is { } id ? long.Parse(id.GetValue<string>(), CultureInfo.InvariantCulture) : null;

    /// <summary>An integer argument.</summary>
    public BigInteger Number(string name) => BigInteger.Parse(Text(name), CultureInfo.InvariantCulture);

    /// <summary>A string-valued argument (address, bytes32 hex, decimal integer).</summary>
    public string Text(string name) =>
        Args[name]?.GetValue<string>() ?? throw new InvalidDataException($"{Contract}.{Name} at block {BlockNumber} has no argument '{name}'");

    /// <summary>A bool argument.</summary>
    public bool Flag(string name) =>
        Args[name]?.GetValue<bool>() ?? throw new InvalidDataException($"{Contract}.{Name} at block {BlockNumber} has no argument '{name}'");
}
