using System.Globalization;
using System.Numerics;
using Exchange.Api.Client.Offers;
using Exchange.Api.Infrastructure;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Api.Offers;

/// <summary>The API's checks on a posted <see cref="OfferSubmission"/>.</summary>
internal static class OfferSubmissionValidation
{
    // JobMarket keeps offer nonces as a uint32 sequence and refuses 2^32 - 1.
    private const ulong MaxNonce = uint.MaxValue;

    /// <summary>Checks every field; returns the Core offer and signature, or the errors per field.</summary>
    internal static (Offer? Offer, byte[]? Signature, Dictionary<string, string[]> Errors) Validate(this OfferSubmission submission)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (!HexText.TryParseAddress(submission.Provider, out var provider))
        {
            Fail("provider", "provider must be an address: 0x and 40 hex digits.");
        }
        if (!Bytes32.TryParse(submission.ModelId, out var modelId))
        {
            Fail("modelId", "modelId must be 0x and 64 hex digits.");
        }
        if (!BigInteger.TryParse(submission.UnitPrice, NumberStyles.None, CultureInfo.InvariantCulture, out var unitPrice) || unitPrice.IsZero
            || unitPrice.GetBitLength() > 256)
        {
            Fail("unitPrice", "unitPrice must be a positive uint256 in decimal digits.");
        }
        if (submission.MaxTasks is null or 0)
        {
            Fail("maxTasks", "maxTasks must be a positive uint32.");
        }
        if (submission.MinTurnaround is null)
        {
            Fail("minTurnaround", "minTurnaround (seconds, a uint32) is required.");
        }
        if (submission.Expiry is null)
        {
            Fail("expiry", "expiry (UNIX seconds) is required.");
        }
        if (submission.Nonce is null or >= MaxNonce)
        {
            Fail("nonce", $"nonce is required and below {MaxNonce} (the market's per-provider sequence).");
        }
        var region = Bytes32.Zero;
        try
        {
            region = Exchange.Core.Eip712.Region.Encode(submission.Region ?? throw new ArgumentException("region is required."));
        }
        catch (ArgumentException e)
        {
            Fail("region", e.Message);
        }
        byte[]? signature = null;
        try
        {
            signature = Hex.Parse(submission.Signature, Signatures.Length);
        }
        catch (FormatException)
        {
            Fail("signature", "signature must be 0x and 130 hex digits (r ‖ s ‖ v).");
        }

        return errors.Count > 0
            ? (null, null, errors)
            : (new Offer(provider!, modelId, unitPrice, submission.MaxTasks!.Value, submission.MinTurnaround!.Value, submission.Expiry!.Value, region, submission.Nonce!.Value), signature, errors);
    }
}
