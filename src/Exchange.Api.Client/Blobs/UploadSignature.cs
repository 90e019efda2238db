using System.Globalization;
using System.Text;
using Exchange.Core.Diagnostics;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Nethereum.Signer;

namespace Exchange.Api.Client.Blobs;

/// <summary>
/// The EIP-191 (<c>personal_sign</c>) message an uploader signs to store a blob: readable text
/// naming the blob's hash and the signature's expiry, so a wallet shows what it signs.
/// </summary>
public static class UploadSignature
{
    /// <summary>Header carrying the address that signed the upload.</summary>
    public const string SignerHeader = "X-Upload-Signer";

    /// <summary>Header carrying the signature's expiry in UNIX seconds.</summary>
    public const string ExpiryHeader = "X-Upload-Expiry";

    /// <summary>Header carrying the 65-byte signature in hex.</summary>
    public const string SignatureHeader = "X-Upload-Signature";

    /// <summary>Header with the hash the uploader expects; the API refuses the upload when the bytes hash otherwise.</summary>
    public const string ExpectedHashHeader = "X-Blob-Hash";

    /// <summary>Header of a batch upload listing its blobs' sizes in bytes, in order, comma-separated (<see cref="BlobBatch"/>).</summary>
    public const string SizesHeader = "X-Blob-Sizes";

    /// <summary>The exact text signed for a blob hash (0x-prefixed, lowercase) and an expiry.</summary>
    public static string Message(string blobHash, ulong expiry) =>
        string.Create(CultureInfo.InvariantCulture, $"Exchange blob upload\nhash: {blobHash}\nexpiry: {expiry}");

    /// <summary>
    /// The exact text signed for a batch of <paramref name="count"/> blobs whose addresses, in order,
    /// have the digest <paramref name="digest"/> (<see cref="BlobBatch.Digest"/>), and an expiry.
    /// </summary>
    public static string BatchMessage(Bytes32 digest, int count, ulong expiry) =>
        string.Create(CultureInfo.InvariantCulture, $"Exchange blob batch upload\nblobs: {count}\ndigest: {digest}\nexpiry: {expiry}");

    /// <summary>Signs an upload with the key; returns the 0x-prefixed signature.</summary>
    public static string Sign(string blobHash, ulong expiry, EthECKey key) => SignText(Message(blobHash, expiry), key);

    /// <summary>Signs a batch upload (<see cref="BatchMessage"/>) with the key; returns the 0x-prefixed signature.</summary>
    public static string SignBatch(Bytes32 digest, int count, ulong expiry, EthECKey key) => SignText(BatchMessage(digest, count, expiry), key);

    /// <summary>The address that signed the upload message, or null when the signature is malformed.</summary>
    public static string? RecoverSigner(string blobHash, ulong expiry, string signature) => RecoverText(Message(blobHash, expiry), signature);

    /// <summary>The address that signed the batch upload message, or null when the signature is malformed.</summary>
    public static string? RecoverBatchSigner(Bytes32 digest, int count, ulong expiry, string signature) => RecoverText(BatchMessage(digest, count, expiry), signature);

    private static string SignText(string message, EthECKey key)
    {
        using var _ = StageMeter.Measure(Stage.Signing);
        return new EthereumMessageSigner().EncodeUTF8AndSign(message, key);
    }

    private static string? RecoverText(string message, string signature)
    {
        using var _ = StageMeter.Measure(Stage.Signing);

        // Core checks v, r and s before recovering: given a v other than 27 or 28 Nethereum throws a
        // bare Exception, and a NullReferenceException when no key recovers.
        byte[] bytes;
        try
        {
            bytes = Hex.Parse(signature, Signatures.Length);
        }
        catch (FormatException)
        {
            return null;
        }

        var digest = Bytes32.FromBytes(new EthereumMessageSigner().HashPrefixedMessage(Encoding.UTF8.GetBytes(message)));
        try
        {
            return Signatures.TryRecover(digest, bytes, out var signer) ? signer!.ToLowerInvariant() : null;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            // Anyone can send these bytes: whatever the recovery throws (a CI run once saw the API
            // answer 500 for r = 5 that no local run reproduced), the signature is nobody's.
            return null;
        }
    }
}
