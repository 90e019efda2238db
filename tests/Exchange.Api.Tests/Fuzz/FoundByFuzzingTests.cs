using System.Net;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Tests.Support;

namespace Exchange.Api.Tests.Fuzz;

/// <summary>Requests the request fuzzer found answered with a 500, kept so the fixes stay fixed.</summary>
public sealed class FoundByFuzzingTests : IDisposable
{
    private readonly ApiFactory _api = new(new KnownAccountsMarket().Fund(DevKeys.Client.Address(), 1, 0));
    private readonly HttpClient _http;

    public FoundByFuzzingTests() => _http = _api.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    // Nethereum threw a bare Exception for v = 0x32 ("Header byte out of range") and a
    // NullReferenceException for an r that is no point's x coordinate.
    [Theory]
    [InlineData("32")]
    [InlineData("00")]
    [InlineData("1b")]
    [InlineData("1c")]
    public async Task A_65_byte_upload_signature_that_recovers_no_key_is_a_401_problem(string v)
    {
        var request = Uploads.Put([1, 2, 3], DevKeys.Client);
        request.Headers.Remove(UploadSignature.SignatureHeader);
        request.Headers.Add(UploadSignature.SignatureHeader, "0x" + new string('0', 63) + "5" + new string('0', 63) + "1" + v);

        var response = await _http.SendAsync(request);

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized, "Bad signature");
        Assert.Equal(0, _api.CountRows("api_blobs"));
    }

    [Fact]
    public void Recovery_of_a_signature_with_v_out_of_range_is_null() =>
        Assert.Null(UploadSignature.RecoverSigner("0x" + new string('a', 64), 1, "0x" + new string('1', 128) + "32"));
}
