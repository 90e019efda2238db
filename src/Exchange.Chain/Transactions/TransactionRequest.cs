using System.Numerics;

namespace Exchange.Chain.Transactions;

/// <summary>What to send: recipient (null to deploy), call data, value; the sender fills in nonce, gas and fees.</summary>
/// <param name="To">The recipient, or null for a contract deployment.</param>
/// <param name="Data">Call data (or deployment bytecode with constructor arguments), 0x hex.</param>
/// <param name="Value">Wei to send along.</param>
/// <param name="Gas">A fixed gas limit; null to estimate (and find reverts before anything is signed).</param>
public sealed record TransactionRequest(string? To, string Data, BigInteger Value, BigInteger? Gas = null);

/// <summary>A signed, broadcast transaction whose receipt has not been awaited yet.</summary>
/// <param name="Hash">The transaction hash.</param>
/// <param name="Nonce">The nonce it uses.</param>
/// <param name="RawTransaction">The signed bytes, kept to rebroadcast if a node drops it.</param>
/// <param name="Request">What was asked for.</param>
public sealed record SentTransaction(string Hash, BigInteger Nonce, string RawTransaction, TransactionRequest Request);
