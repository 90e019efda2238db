using System.Net.Http.Headers;

namespace Exchange.Api.Tests.Support;

/// <summary>Edits that make a well-formed request wrong in one way, for the refused-request tests.</summary>
public static class RequestEdits
{
    public static HttpRequestMessage With(HttpRequestMessage request, string header, string value)
    {
        request.Headers.Add(header, value);
        return request;
    }

    public static HttpRequestMessage Without(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    public static HttpRequestMessage Replace(HttpRequestMessage request, string header, string value) =>
        With(Without(request, header), header, value);

    /// <summary>The body declared as a form, which no upload route accepts.</summary>
    public static HttpRequestMessage AsForm(HttpRequestMessage request)
    {
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return request;
    }

    /// <summary>The same body sent chunked, without a Content-Length, so that only its bytes tell its size.</summary>
    public static HttpRequestMessage Chunked(HttpRequestMessage request)
    {
        var bytes = request.Content!.ReadAsByteArrayAsync().Result;
        var type = request.Content.Headers.ContentType;
        request.Content = new StreamContent(new NonSeekableStream(bytes));
        request.Content.Headers.ContentType = type;
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
