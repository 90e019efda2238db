using System.Net.Http.Headers;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Nethereum.Signer;

namespace Exchange.Api.Tests.Support;

/// <summary>Builds signed blob uploads the way a client does.</summary>
public static class Uploads
{
    /// <summary>A blob's address computed here with the platform's SHA-256, not the product's code.</summary>
    public static string Address(byte[] bytes) => "0x" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    public static ulong ExpiryIn(TimeSpan span) => (ulong)DateTimeOffset.UtcNow.Add(span).ToUnixTimeSeconds();

    public static HttpRequestMessage Put(byte[] bytes, EthECKey signer, ulong? expiry = null, string? signedHash = null)
    {
        var expiresAt = expiry ?? ExpiryIn(TimeSpan.FromMinutes(5));
        var request = new HttpRequestMessage(HttpMethod.Put, "/blobs") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(UploadSignature.SignerHeader, signer.GetPublicAddress());
        request.Headers.Add(UploadSignature.ExpiryHeader, expiresAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(UploadSignature.SignatureHeader, UploadSignature.Sign(signedHash ?? Address(bytes), expiresAt, signer));
        return request;
    }

    /// <summary>A batch's digest computed here with the platform's SHA-256: the hash of the blobs' 32-byte addresses in order.</summary>
    public static string BatchDigest(IEnumerable<byte[]> blobs) =>
        "0x" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blobs.SelectMany(System.Security.Cryptography.SHA256.HashData).ToArray()));

    /// <summary>
    /// A signed batch upload of <paramref name="blobs"/>; the other arguments replace one part of it
    /// (what is signed, the sizes header, the body) to make it wrong.
    /// </summary>
    public static HttpRequestMessage PostBatch(
        byte[][] blobs, EthECKey signer, ulong? expiry = null, string? signedDigest = null, int? signedCount = null, string? sizes = null, byte[]? body = null)
    {
        var expiresAt = expiry ?? ExpiryIn(TimeSpan.FromMinutes(5));
        var request = new HttpRequestMessage(HttpMethod.Post, "/blobs/batch") { Content = new ByteArrayContent(body ?? blobs.SelectMany(b => b).ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(UploadSignature.SignerHeader, signer.GetPublicAddress());
        request.Headers.Add(UploadSignature.ExpiryHeader, expiresAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(UploadSignature.SizesHeader, sizes ?? string.Join(',', blobs.Select(b => b.Length)));
        var digest = Exchange.Core.Hashing.Bytes32.Parse(signedDigest ?? BatchDigest(blobs));
        request.Headers.Add(UploadSignature.SignatureHeader, UploadSignature.SignBatch(digest, signedCount ?? blobs.Length, expiresAt, signer));
        return request;
    }

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, byte[] bytes, EthECKey signer) =>
        await client.SendAsync(Put(bytes, signer));
}
