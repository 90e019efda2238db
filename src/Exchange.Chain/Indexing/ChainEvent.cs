using Nethereum.ABI.FunctionEncoding.Attributes;

namespace Exchange.Chain.Indexing;

/// <summary>One contract log, decoded once into the bindings' event type, with where it sits in the chain.</summary>
/// <param name="BlockNumber">Block of the log.</param>
/// <param name="LogIndex">Index of the log in its block.</param>
/// <param name="BlockHash">Hash of the block, lower-case 0x hex.</param>
/// <param name="BlockTime">Timestamp of the block (UNIX seconds).</param>
/// <param name="TransactionHash">Hash of the emitting transaction, lower-case 0x hex.</param>
/// <param name="Contract">ComputeToken, StakingVault, JobMarket or AuditCourt.</param>
/// <param name="Name">The event's name in the ABI.</param>
/// <param name="Event">The decoded event (a <c>…EventDTO</c> of <see cref="Bindings"/>): switch on its type.</param>
/// <param name="Transaction">Sender and gas of the emitting transaction, when the poller reads receipts (<see cref="LogPollerOptions.ReadTransactions"/>).</param>
public sealed record ChainEvent(
    ulong BlockNumber,
    ulong LogIndex,
    string BlockHash,
    ulong BlockTime,
    string TransactionHash,
    string Contract,
    string Name,
    IEventDTO Event,
    ChainTransaction? Transaction);

/// <summary>What a receipt tells of the transaction that emitted an event.</summary>
/// <param name="From">Sender, lower-case 0x hex.</param>
/// <param name="GasUsed">Gas used by the whole transaction.</param>
public sealed record ChainTransaction(string From, ulong GasUsed);
