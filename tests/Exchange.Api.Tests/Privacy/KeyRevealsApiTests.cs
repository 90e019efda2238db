using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Client.Privacy;
using Exchange.Api.Privacy;
using Exchange.Api.Tests.Support;
using Exchange.Core.Hashing;
using Exchange.Core.Privacy;
using Nethereum.Signer;

namespace Exchange.Api.Tests.Privacy;

public sealed class KeyRevealsApiTests : IDisposable
{
    private static readonly Bytes32 Manifest = Keccak.Hash("manifest"u8);
    private readonly KnownAccountsMarket _market = new KnownAccountsMarket().Fund(DevKeys.Provider.Address(), 0, 1000);
    private readonly ApiFactory _api;
    private readonly HttpClient _http;

    public KeyRevealsApiTests()
    {
        _api = new ApiFactory(_market);
        _http = _api.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    private static KeyReveal Reveal(int jobId, EthECKey recipient, byte fill = 7) =>
        new(jobId, Manifest, recipient.Address(), new Dictionary<int, byte[]> { [2] = Enumerable.Repeat(fill, SealedBox.Overhead + 32).ToArray() });

    private static HttpRequestMessage Put(string path, byte[] body, EthECKey signer, EthECKey? claimed = null, TimeSpan? validFor = null)
    {
        var expiry = Uploads.ExpiryIn(validFor ?? TimeSpan.FromMinutes(5));
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(UploadSignature.SignerHeader, (claimed ?? signer).GetPublicAddress());
        request.Headers.Add(UploadSignature.ExpiryHeader, expiry.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(UploadSignature.SignatureHeader, UploadSignature.Sign(Uploads.Address(body), expiry, signer));
        return request;
    }

    [Fact]
    public async Task A_reveal_is_stored_once_per_body_and_read_back_with_a_signature_that_recovers_to_its_sender()
    {
        var path = $"/jobs/12/keys/{DevKeys.Verifier.Address()}";
        var body = Reveal(12, DevKeys.Verifier).ToCanonicalJson();

        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(Put(path, body, DevKeys.Provider))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Put(path, body, DevKeys.Provider))).StatusCode);
        var rows = await _http.GetFromJsonAsync<List<KeyRevealRow>>(path);

        var row = Assert.Single(rows!);
        Assert.Equal(body, Hex.Parse(row.Body));
        Assert.Equal(DevKeys.Provider.Address(), UploadSignature.RecoverSigner(Uploads.Address(body), row.Expiry, row.Signature));
        Assert.Empty((await _http.GetFromJsonAsync<List<KeyRevealRow>>($"/jobs/12/keys/{DevKeys.Client.Address()}"))!);
        Assert.Empty((await _http.GetFromJsonAsync<List<KeyRevealRow>>($"/jobs/13/keys/{DevKeys.Verifier.Address()}"))!);
    }

    [Fact]
    public async Task A_reveal_for_another_job_or_recipient_a_forged_or_unfunded_signer_and_a_bad_path_are_refused()
    {
        var path = $"/jobs/12/keys/{DevKeys.Verifier.Address()}";
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, Reveal(13, DevKeys.Verifier).ToCanonicalJson(), DevKeys.Provider)), HttpStatusCode.BadRequest, "not a key reveal document for job 12");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, Reveal(12, DevKeys.Client).ToCanonicalJson(), DevKeys.Provider)), HttpStatusCode.BadRequest, "not a key reveal document");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, "{}"u8.ToArray(), DevKeys.Provider)), HttpStatusCode.BadRequest, "not a key reveal document");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, Reveal(12, DevKeys.Verifier).ToCanonicalJson(), DevKeys.Stranger, claimed: DevKeys.Provider)), HttpStatusCode.Unauthorized, "Bad signature");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, Reveal(12, DevKeys.Verifier).ToCanonicalJson(), DevKeys.Stranger)), HttpStatusCode.Forbidden, "neither a deposit nor a stake");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put("/jobs/012/keys/" + DevKeys.Verifier.Address(), Reveal(12, DevKeys.Verifier).ToCanonicalJson(), DevKeys.Provider)), HttpStatusCode.BadRequest, "uint256 in decimal");
        await ProblemAssert.IsProblem(await _http.GetAsync("/jobs/12/keys/0x1234"), HttpStatusCode.BadRequest, "40 hex digits");
        Assert.Equal(0, _api.CountRows("api_key_reveals"));
    }

    [Fact]
    public async Task A_reveal_signed_past_the_replay_window_expired_or_without_a_signer_gets_the_answer_a_blob_upload_gets()
    {
        var path = $"/jobs/12/keys/{DevKeys.Verifier.Address()}";
        var body = Reveal(12, DevKeys.Verifier).ToCanonicalJson();
        var unsigned = Put(path, body, DevKeys.Provider);
        unsigned.Headers.Remove(UploadSignature.SignerHeader);

        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, body, DevKeys.Provider, validFor: TimeSpan.FromHours(2))), HttpStatusCode.BadRequest, "Expiry may be at most 3600 seconds ahead.");
        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, body, DevKeys.Provider, validFor: TimeSpan.FromMinutes(-1))), HttpStatusCode.Unauthorized, "The upload signature expired at");
        await ProblemAssert.IsProblem(await _http.SendAsync(unsigned), HttpStatusCode.BadRequest, "Signer must be 0x followed by 40 hex digits.");
        Assert.Equal(0, _api.CountRows("api_key_reveals"));
    }

    [Fact]
    public async Task Reveals_past_the_limit_per_recipient_are_refused()
    {
        var path = $"/jobs/12/keys/{DevKeys.Verifier.Address()}";
        for (var i = 0; i < KeyRevealsApi.MaxPerRecipient; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(Put(path, Reveal(12, DevKeys.Verifier, (byte)i).ToCanonicalJson(), DevKeys.Provider))).StatusCode);
        }

        await ProblemAssert.IsProblem(await _http.SendAsync(Put(path, Reveal(12, DevKeys.Verifier, 99).ToCanonicalJson(), DevKeys.Provider)), HttpStatusCode.Conflict, "already has 16 reveals");
    }
}
