using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Accounts;
using Exchange.Api.Client.Offers;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Storage;

namespace Exchange.Api.Offers;

/// <summary>
/// The offer book: signed offers in SQLite. Reads drop what the chain says is gone (expired,
/// cancelled) and what the provider's free collateral in the market can no longer back, and rank by price, then reputation.
/// </summary>
public sealed class OfferBook(SqliteConnectionFactory connections, IMarketReader market, TimeProvider time)
{
    // A uint256 has at most 78 decimal digits; padded to that width, text order is numeric order.
    private const int PriceDigits = 78;

    // Ranking looks at this many of the cheapest matching offers; the book is a relay's cache, not an exchange's matching engine.
    private const int Candidates = 500;

    private const string Columns = """
        digest AS Digest, provider AS Provider, model_id AS ModelId, unit_price AS UnitPrice, max_tasks AS MaxTasks,
        min_turnaround AS MinTurnaround, expiry AS Expiry, region AS Region, nonce AS Nonce, signature AS Signature, received_at AS ReceivedAt
        """;

    /// <summary>Stores a verified offer. Idempotent for the same digest; another offer under a used nonce is a conflict.</summary>
    public async Task<OfferAddOutcome> AddAsync(Offer offer, Bytes32 digest, byte[] signature, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(offer);
        await using var connection = await connections.OpenAsync(ct);
        var existing = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT digest FROM api_offers WHERE provider = @provider AND nonce = @nonce",
            new { provider = offer.Provider, nonce = Text(offer.Nonce) }, cancellationToken: ct));
        if (existing is not null)
        {
            return existing == digest.ToString() ? OfferAddOutcome.AlreadyBooked : OfferAddOutcome.NonceTaken;
        }
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO api_offers (digest, provider, model_id, unit_price, price_key, max_tasks, min_turnaround, expiry, region, nonce, signature, received_at)
            VALUES (@Digest, @Provider, @ModelId, @UnitPrice, @PriceKey, @MaxTasks, @MinTurnaround, @Expiry, @Region, @Nonce, @Signature, @ReceivedAt)
            """,
            new
            {
                Digest = digest.ToString(),
                offer.Provider,
                ModelId = offer.ModelId.ToString(),
                UnitPrice = Text(offer.UnitPrice),
                PriceKey = PriceKey(offer.UnitPrice),
                MaxTasks = (long)offer.MaxTasks,
                MinTurnaround = (long)offer.MinTurnaround,
                Expiry = (long)Math.Min(offer.Expiry, long.MaxValue),
                Region = Exchange.Core.Eip712.Region.Decode(offer.Region),
                Nonce = Text(offer.Nonce),
                Signature = Hex.Format(signature),
                ReceivedAt = time.GetUtcNow().ToUnixTimeSeconds(),
            },
            cancellationToken: ct));
        // A concurrent post of the same offer inserted it between the check and the insert.
        return inserted == 1 ? OfferAddOutcome.Booked : OfferAddOutcome.AlreadyBooked;
    }

    /// <summary>One offer by digest, as stored (whether or not it is still live).</summary>
    public async Task<OfferRow?> FindAsync(string digest, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OfferRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_offers WHERE digest = @digest", new { digest }, cancellationToken: ct));
    }

    /// <summary>Live offers matching the query, cheapest first and, at equal price, best reputation first.</summary>
    public async Task<IReadOnlyList<BookedOffer>> ListAsync(OfferQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        List<OfferRow> rows;
        await using (var connection = await connections.OpenAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM api_offers WHERE expiry <= @now", new { now }, cancellationToken: ct));
            rows = (await connection.QueryAsync<OfferRow>(new CommandDefinition(
                $"""
                SELECT {Columns} FROM api_offers
                WHERE (@model IS NULL OR model_id = @model)
                  AND (@region IS NULL OR region = @region)
                  AND (@maxKey IS NULL OR price_key <= @maxKey)
                  AND (@maxTurnaround IS NULL OR min_turnaround <= @maxTurnaround)
                ORDER BY price_key, digest
                LIMIT {Candidates}
                """,
                new { model = query.ModelId, region = query.Region, maxKey = query.MaxUnitPrice is { } max ? PriceKey(max) : null, maxTurnaround = query.MaxTurnaround },
                cancellationToken: ct))).ToList();
        }

        var terms = await market.GetTermsAsync(ct);
        var standings = new Dictionary<string, AccountStanding>();
        var live = new List<BookedOffer>();
        foreach (var row in rows)
        {
            if (!standings.TryGetValue(row.Provider, out var standing))
            {
                standing = standings[row.Provider] = await market.GetStandingAsync(row.Provider, ct);
            }
            if (standing.Cancelled(ulong.Parse(row.Nonce, CultureInfo.InvariantCulture)))
            {
                await RemoveAsync(row.Digest, ct);
                continue;
            }
            var price = BigInteger.Parse(row.UnitPrice, CultureInfo.InvariantCulture);
            var perTask = terms.Collateral(price, 1);
            var capacity = perTask.IsZero ? row.MaxTasks : (long)BigInteger.Min(row.MaxTasks, standing.FreeCollateral / perTask);
            if (capacity > 0)
            {
                live.Add(Booked(row, (uint)capacity, standing.Reputation));
            }
        }
        return live
            .OrderBy(o => PriceKey(BigInteger.Parse(o.UnitPrice, CultureInfo.InvariantCulture)), StringComparer.Ordinal)
            .ThenBy(o => o.Reputation.Slashes)
            .ThenBy(o => o.Reputation.AuditsFailed)
            .ThenByDescending(o => o.Reputation.AuditsPassed)
            .ThenByDescending(o => o.Reputation.JobsSettled)
            .ThenBy(o => o.Digest, StringComparer.Ordinal)
            .Take(query.Limit)
            .ToList();
    }

    private async Task RemoveAsync(string digest, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM api_offers WHERE digest = @digest", new { digest }, cancellationToken: ct));
    }

    internal static string PriceKey(BigInteger price) => Text(price).PadLeft(PriceDigits, '0');

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static BookedOffer Booked(OfferRow row, uint capacity, Reputation reputation) => new(
        row.Digest, row.Provider, row.ModelId, row.UnitPrice, (uint)row.MaxTasks, (uint)row.MinTurnaround, (ulong)row.Expiry, row.Region, row.Nonce,
        row.Signature, capacity, reputation);
}

/// <summary>What adding an offer did.</summary>
public enum OfferAddOutcome
{
    /// <summary>The offer is new in the book.</summary>
    Booked,

    /// <summary>The same offer was in the book already.</summary>
    AlreadyBooked,

    /// <summary>The provider has another offer under this nonce.</summary>
    NonceTaken,
}

/// <summary>Filters of <c>GET /offers</c>.</summary>
/// <param name="ModelId">Only this model (0x-prefixed lowercase), or any.</param>
/// <param name="Region">Only this region, or any.</param>
/// <param name="MaxUnitPrice">Only offers at most this price per task, or any.</param>
/// <param name="Limit">Most offers returned.</param>
/// <param name="MaxTurnaround">Only offers whose provider needs at most this many seconds per job, or any.</param>
public sealed record OfferQuery(string? ModelId, string? Region, BigInteger? MaxUnitPrice, int Limit, long? MaxTurnaround = null);

/// <summary>An offer as stored.</summary>
public sealed record OfferRow(string Digest, string Provider, string ModelId, string UnitPrice, long MaxTasks, long MinTurnaround, long Expiry, string Region, string Nonce, string Signature, long ReceivedAt);
