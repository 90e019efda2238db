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

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, byte[] bytes, EthECKey signer) =>
        await client.SendAsync(Put(bytes, signer));
}
