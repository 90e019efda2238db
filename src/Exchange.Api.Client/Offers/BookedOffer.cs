using Exchange.Api.Client.Accounts;

namespace Exchange.Api.Client.Offers;

/// <summary>A live offer in the book, with what the chain says about its provider.</summary>
/// <param name="Digest">The offer's EIP-712 digest: its id, and what <c>cancelOffer</c> cancels.</param>
/// <param name="Provider">The provider's address.</param>
/// <param name="ModelId">The model's id.</param>
/// <param name="UnitPrice">Price per task, decimal string.</param>
/// <param name="MaxTasks">Most tasks per job.</param>
/// <param name="MinTurnaround">Seconds the provider needs at least: a job's deadline must be this far after its creation.</param>
/// <param name="Expiry">UNIX seconds.</param>
/// <param name="Region">Region name.</param>
/// <param name="Nonce">The provider's nonce, decimal string.</param>
/// <param name="Signature">The provider's signature, to pass to <c>createJob</c>.</param>
/// <param name="Capacity">Tasks the provider's free collateral in the market can back at this price now (at most <paramref name="MaxTasks"/>).</param>
/// <param name="Reputation">The provider's counters in the vault.</param>
public sealed record BookedOffer(
    string Digest, string Provider, string ModelId, string UnitPrice, uint MaxTasks, uint MinTurnaround, ulong Expiry, string Region, string Nonce,
    string Signature, uint Capacity, Reputation Reputation);
