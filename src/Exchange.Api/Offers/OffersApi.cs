using System.Globalization;
using System.Numerics;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Offers;
using Exchange.Api.Infrastructure;
using Exchange.Core.Eip712;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.Offers;

/// <summary>The offer book: <c>/offers</c>.</summary>
public static class OffersApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 200;

    /// <summary>Maps the offer routes.</summary>
    public static IEndpointRouteBuilder MapOffersApi(this IEndpointRouteBuilder app)
    {
        var offers = app.MapGroup("/offers").WithTags("Offers");

        offers.MapPost("/", PostOffer)
            .WithName("PostOffer")
            .WithSummary("Books a provider's EIP-712 signed offer after checking its signature, expiry, the market's minimum unit price and the provider's free collateral.");
        offers.MapGet("/", ListOffers)
            .WithName("ListOffers")
            .WithSummary("Live offers, filtered by model, region, maximum unit price and maximum turnaround; cheapest first, then best reputation.");
        offers.MapGet("/{digest}", GetOffer)
            .WithName("GetOffer")
            .WithSummary("One booked offer by its EIP-712 digest.");
        return app;
    }

    internal static async Task<Results<Created<OfferRow>, Ok<OfferRow>, ProblemHttpResult>> PostOffer(
        OfferSubmission submission,
        OfferBook book,
        IMarketReader market,
        AddressRateLimiter addressLimiter,
        ApiMetrics metrics,
        TimeProvider time,
        CancellationToken ct)
    {
        var (offer, signature, errors) = submission.Validate();
        if (offer is null || signature is null)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid offer",
                Detail = string.Join(" ", errors.Values.SelectMany(e => e)),
            });
        }
        var now = (ulong)time.GetUtcNow().ToUnixTimeSeconds();
        if (offer.Expiry <= now)
        {
            metrics.Refused("offer-expired");
            return Unprocessable("Offer expired", $"The offer expired at {offer.Expiry}; it is now {now}.");
        }

        var terms = await market.GetTermsAsync(ct);
        var digest = offer.Digest(Eip712Domain.ForExchange(terms.ChainId, terms.Market));
        if (!Signatures.IsSignedBy(digest, signature, offer.Provider))
        {
            metrics.Refused("offer-signature");
            return Unprocessable("Bad signature", $"The signature is not {offer.Provider}'s over offer digest {digest} (chain {terms.ChainId}, market {terms.Market}).");
        }
        if (offer.UnitPrice < terms.MinUnitPrice)
        {
            metrics.Refused("offer-underpriced");
            return Unprocessable("Unit price below the minimum",
                $"The market refuses jobs below {terms.MinUnitPrice} a task; the offer asks {offer.UnitPrice}.");
        }
        using var lease = addressLimiter.Acquire(offer.Provider);
        if (!lease.IsAcquired)
        {
            return Problems.TooManyRequests();
        }
        var standing = await market.GetStandingAsync(offer.Provider, ct);
        if (standing.Cancelled(offer.Nonce))
        {
            metrics.Refused("offer-cancelled");
            return Unprocessable("Offer cancelled",
                $"The provider cancelled its offers below nonce {standing.OfferNonceFloor} on-chain; offer {digest} has nonce {offer.Nonce}.");
        }
        var needed = terms.Collateral(offer.UnitPrice, 1);
        if (standing.FreeCollateral < needed || standing.FreeCollateral.IsZero)
        {
            metrics.Refused("offer-unbacked");
            return Unprocessable("Insufficient free collateral",
                $"{offer.Provider} has {standing.FreeCollateral} free collateral in the market (lockCollateral moves stake there); one task at {offer.UnitPrice} takes {needed}.");
        }

        switch (await book.AddAsync(offer, digest, signature, ct))
        {
            case OfferAddOutcome.NonceTaken:
                return Problems.Status(StatusCodes.Status409Conflict, "Nonce already used",
                    $"{offer.Provider} has another offer with nonce {offer.Nonce}; sign a new offer with a fresh nonce.");
            case OfferAddOutcome.AlreadyBooked:
                return TypedResults.Ok(await BookedAsync(book, digest.ToString(), ct));
            default:
                metrics.OfferAccepted();
                return TypedResults.Created($"/offers/{digest}", await BookedAsync(book, digest.ToString(), ct));
        }
    }

    internal static async Task<Results<Ok<IReadOnlyList<BookedOffer>>, ProblemHttpResult>> ListOffers(
        OfferBook book, string? model, string? region, string? maxUnitPrice, long? maxTurnaround, int? limit, CancellationToken ct)
    {
        string? modelId = null;
        if (model is not null && !HexText.TryParseHash(model, out modelId))
        {
            return Problems.Invalid(nameof(model), "model must be a model id: 0x and 64 hex digits.");
        }
        BigInteger? maxPrice = null;
        if (maxUnitPrice is not null)
        {
            if (!BigInteger.TryParse(maxUnitPrice, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Problems.Invalid(nameof(maxUnitPrice), "maxUnitPrice must be a non-negative integer in decimal digits.");
            }
            maxPrice = parsed;
        }
        if (maxTurnaround is < 0)
        {
            return Problems.Invalid(nameof(maxTurnaround), "maxTurnaround must be a non-negative number of seconds.");
        }
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.Invalid(nameof(limit), $"limit must be between 1 and {MaxLimit}.");
        }
        return TypedResults.Ok(await book.ListAsync(new OfferQuery(modelId, region, maxPrice, limit ?? DefaultLimit, maxTurnaround), ct));
    }

    internal static async Task<Results<Ok<OfferRow>, ProblemHttpResult>> GetOffer(string digest, OfferBook book, CancellationToken ct)
    {
        if (!HexText.TryParseHash(digest, out var key))
        {
            return Problems.Invalid(nameof(digest), "An offer digest is 0x and 64 hex digits.");
        }
        return await book.FindAsync(key, ct) is { } row ? TypedResults.Ok(row) : Problems.NotFound($"No offer {key}.");
    }

    private static async Task<OfferRow> BookedAsync(OfferBook book, string digest, CancellationToken ct) =>
        await book.FindAsync(digest, ct) ?? throw new InvalidOperationException($"offer {digest} vanished after it was booked");

    private static ProblemHttpResult Unprocessable(string title, string detail) =>
        Problems.Status(StatusCodes.Status422UnprocessableEntity, title, detail);
}
