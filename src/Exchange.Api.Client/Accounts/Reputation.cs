namespace Exchange.Api.Client.Accounts;

/// <summary>The vault's reputation counters of an account.</summary>
/// <param name="JobsSettled">Jobs settled in the provider's favour.</param>
/// <param name="AuditsPassed">Audits the account's results passed.</param>
/// <param name="AuditsFailed">Audits the account's results failed.</param>
/// <param name="Slashes">Times the account was slashed.</param>
public sealed record Reputation(uint JobsSettled, uint AuditsPassed, uint AuditsFailed, uint Slashes)
{
    /// <summary>No history.</summary>
    public static Reputation None { get; } = new(0, 0, 0, 0);
}
