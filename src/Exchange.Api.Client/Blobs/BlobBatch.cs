using System.Globalization;
using System.Net;
using Exchange.Core.Hashing;

namespace Exchange.Api.Client.Blobs;

/// <summary>
/// Many blobs in one request, both ways (<c>POST /blobs/batch</c> to store, <c>POST /blobs/fetch</c>
/// to read): the body is the blobs' bytes one after another, and <see cref="UploadSignature.SizesHeader"/>
/// lists their sizes in order. One signature covers a batch upload: it signs the
/// <see cref="Digest"/> of the blobs' addresses, which the API computes from the bytes it received.
/// A job's inputs or outputs then cost a request, a signature and a disk sync per batch, not per blob.
/// </summary>
public static class BlobBatch
{
    /// <summary>Blobs a node puts in one request at most; the API's own limit (<c>MaxBatchBlobs</c>) is at least this by default.</summary>
    public const int MaxBlobsPerRequest = 64;

    /// <summary>Bytes a node puts in one batch upload at most (a batch of one larger blob is sent alone); well under the API's <c>MaxBlobBytes</c> default.</summary>
    public const long MaxBytesPerRequest = 32L * 1024 * 1024;

    /// <summary>
    /// The digest a batch upload signs: the SHA-256 of the blobs' 32-byte addresses in order, i.e.
    /// the blob address of that list. It names every blob and their order; a count goes beside it
    /// in the signed text.
    /// </summary>
    public static Bytes32 Digest(IReadOnlyList<Bytes32> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var words = new byte[addresses.Count * 32];
        for (var i = 0; i < addresses.Count; i++)
        {
            addresses[i].CopyTo(words.AsSpan(i * 32, 32));
        }

        return BlobAddress.Of(words);
    }

    /// <summary>The <see cref="UploadSignature.SizesHeader"/> value for these sizes.</summary>
    public static string FormatSizes(IEnumerable<long> sizes) => string.Join(',', sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Reads a <see cref="UploadSignature.SizesHeader"/> value: 1 to <paramref name="maxBlobs"/>
    /// decimal sizes, each at least <paramref name="minSize"/>; <paramref name="problem"/> says what is wrong otherwise.
    /// </summary>
    public static bool TryParseSizes(string? text, int maxBlobs, long minSize, out long[] sizes, out string? problem)
    {
        sizes = [];
        problem = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "A batch lists its blobs' sizes in bytes, comma-separated.";
            return false;
        }

        var parts = text.Split(',');
        if (parts.Length > maxBlobs)
        {
            problem = $"A batch holds at most {maxBlobs} blobs; this one lists {parts.Length}.";
            return false;
        }

        var parsed = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] < minSize)
            {
                problem = $"Size {i} ('{parts[i]}') must be a whole number of bytes, at least {minSize}.";
                return false;
            }
        }

        sizes = parsed;
        return true;
    }

    /// <summary>
    /// Splits blobs, in order, into runs of at most <see cref="MaxBlobsPerRequest"/> blobs and
    /// <see cref="MaxBytesPerRequest"/> bytes (a larger blob alone): one request each.
    /// </summary>
    public static IEnumerable<Range> Requests(IReadOnlyList<ReadOnlyMemory<byte>> blobs)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var start = 0;
        long bytes = 0;
        for (var i = 0; i < blobs.Count; i++)
        {
            if (i > start && (i - start == MaxBlobsPerRequest || bytes + blobs[i].Length > MaxBytesPerRequest))
            {
                yield return new Range(start, i);
                start = i;
                bytes = 0;
            }

            bytes += blobs[i].Length;
        }

        if (start < blobs.Count)
        {
            yield return new Range(start, blobs.Count);
        }
    }

    /// <summary>
    /// Reads the blobs of a <c>POST /blobs/fetch</c> answer from <paramref name="body"/>: exactly
    /// the listed sizes, one array each. Null when the body ends early or runs on.
    /// </summary>
    public static async Task<byte[][]?> ReadAsync(Stream body, IReadOnlyList<long> sizes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(sizes);
        var blobs = new byte[sizes.Count][];
        for (var i = 0; i < sizes.Count; i++)
        {
            blobs[i] = GC.AllocateUninitializedArray<byte>(checked((int)sizes[i]));
            try
            {
                await body.ReadExactlyAsync(blobs[i], cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                return null;
            }
        }

        return await body.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) == 0 ? blobs : null;
    }

    /// <summary>A request body made of blobs one after another, without copying them into one buffer; sent again as often as a retry needs.</summary>
    public sealed class Content : HttpContent
    {
        private readonly ReadOnlyMemory<byte>[] _blobs;

        /// <summary>The body for <paramref name="blobs"/>.</summary>
        public Content(IEnumerable<ReadOnlyMemory<byte>> blobs)
        {
            ArgumentNullException.ThrowIfNull(blobs);
            _blobs = [.. blobs];
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        }

        /// <inheritdoc />
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var blob in _blobs)
            {
                await stream.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <inheritdoc />
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        /// <inheritdoc />
        protected override bool TryComputeLength(out long length)
        {
            length = _blobs.Sum(b => (long)b.Length);
            return true;
        }
    }
}

/// <summary>The body of <c>POST /blobs/fetch</c>: the addresses of the blobs to read, in the order they are wanted.</summary>
/// <param name="Hashes">Blob addresses, <c>0x</c> and 64 hex digits each.</param>
public sealed record BlobFetchRequest(IReadOnlyList<string> Hashes);
