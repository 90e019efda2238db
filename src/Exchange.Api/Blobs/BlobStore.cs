using Dapper;
using Exchange.Core.Hashing;
using Exchange.Storage;
using Exchange.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Blobs;

/// <summary>
/// Content-addressed blob files under <c>{data}/blobs</c>, with their metadata in SQLite. A blob
/// exists for readers once its metadata row exists; the file is in place before the row is written.
/// </summary>
public sealed class BlobStore(IOptions<ApiOptions> options, SqliteConnectionFactory connections, TimeProvider time)
{
    private const int BufferSize = 81920;
    private readonly string _root = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "blobs");

    private string IncomingDirectory => Path.Combine(_root, "incoming");

    /// <summary>Path of a stored blob's file.</summary>
    public string PathOf(string hash) => Path.Combine(_root, hash[2..4], hash[2..]);

    /// <summary>
    /// Streams a body to a temporary file while hashing it. Returns null when the body exceeds
    /// <paramref name="maxBytes"/>; the partial file is deleted then.
    /// </summary>
    public Task<IncomingBlob?> ReceiveAsync(Stream body, long maxBytes, CancellationToken ct) =>
        ReceiveCoreAsync(body, maxBytes, exact: false, ct);

    /// <summary>
    /// Streams the next <paramref name="size"/> bytes of a body (one blob of a batch) to a temporary
    /// file while hashing them, and no byte more. Returns null when the body ends first.
    /// </summary>
    public Task<IncomingBlob?> ReceiveExactAsync(Stream body, long size, CancellationToken ct) =>
        ReceiveCoreAsync(body, size, exact: true, ct);

    private async Task<IncomingBlob?> ReceiveCoreAsync(Stream body, long limit, bool exact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        Directory.CreateDirectory(IncomingDirectory);
        var path = Path.Combine(IncomingDirectory, Guid.NewGuid().ToString("N"));
        using var hasher = BlobAddress.NewHasher();
        long size = 0;
        var buffer = new byte[BufferSize];
        var complete = false;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                int read;
                // An exact read asks for no more than the blob's rest, so the next blob's bytes stay in the body.
                while ((read = await body.ReadAsync(exact ? buffer.AsMemory(0, (int)Math.Min(BufferSize, limit - size)) : buffer, ct)) > 0)
                {
                    size += read;
                    if (size > limit)
                    {
                        return null;
                    }
                    hasher.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                    if (exact && size == limit)
                    {
                        break;
                    }
                }
                if (exact && size < limit)
                {
                    return null;
                }
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            complete = true;
            return new IncomingBlob(path, BlobAddress.Finish(hasher).ToString(), size);
        }
        finally
        {
            if (!complete)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Moves a received blob into place and records it; false when it was stored before.</summary>
    public async Task<bool> CommitAsync(IncomingBlob blob, string uploader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return (await CommitManyAsync([blob], uploader, ct))[0];
    }

    /// <summary>
    /// Moves received blobs into place and records them in one transaction (one disk sync for the
    /// rows); for each, whether it is new (false when it was stored before, or earlier in the list).
    /// </summary>
    public async Task<bool[]> CommitManyAsync(IReadOnlyList<IncomingBlob> blobs, string uploader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        foreach (var blob in blobs)
        {
            var target = PathOf(blob.Hash);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target))
            {
                try
                {
                    File.Move(blob.TempPath, target, overwrite: false);
                }
                catch (IOException) when (File.Exists(target))
                {
                    // A concurrent upload of the same bytes won the race; its file is identical.
                }
            }
        }

        var stored = new bool[blobs.Count];
        var createdAt = time.GetUtcNow().ToUnixTimeSeconds();
        await using var connection = await connections.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        for (var i = 0; i < blobs.Count; i++)
        {
            stored[i] = await connection.ExecuteAsync(new CommandDefinition(
                "INSERT OR IGNORE INTO api_blobs (hash, size, uploader, created_at) VALUES (@Hash, @Size, @Uploader, @CreatedAt)",
                new { blobs[i].Hash, blobs[i].Size, Uploader = uploader, CreatedAt = createdAt }, transaction, cancellationToken: ct)) == 1;
        }
        await transaction.CommitAsync(ct);
        return stored;
    }

    /// <summary>The metadata of the stored blobs among <paramref name="hashes"/>, by hash.</summary>
    public async Task<IReadOnlyDictionary<string, BlobInfo>> FindManyAsync(IEnumerable<string> hashes, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<BlobInfo>(new CommandDefinition(
            "SELECT hash AS Hash, size AS Size, uploader AS Uploader, created_at AS CreatedAt FROM api_blobs WHERE hash IN @hashes",
            new { hashes = hashes.Distinct().ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Hash);
    }

    /// <summary>The metadata of a stored blob, or null when there is none.</summary>
    public async Task<BlobInfo?> FindAsync(string hash, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<BlobInfo>(new CommandDefinition(
            "SELECT hash AS Hash, size AS Size, uploader AS Uploader, created_at AS CreatedAt FROM api_blobs WHERE hash = @hash",
            new { hash }, cancellationToken: ct));
    }
}

/// <summary>A body received into a temporary file; disposing it removes the file unless it was committed.</summary>
public sealed class IncomingBlob(string tempPath, string hash, long size) : IDisposable
{
    /// <summary>The temporary file.</summary>
    public string TempPath { get; } = tempPath;

    /// <summary>The bytes' <see cref="BlobAddress"/>, 0x-prefixed lowercase hex.</summary>
    public string Hash { get; } = hash;

    /// <summary>Length in bytes.</summary>
    public long Size { get; } = size;

    /// <inheritdoc />
    public void Dispose() => File.Delete(TempPath);
}

/// <summary>Metadata of a stored blob.</summary>
/// <param name="Hash">The bytes' <see cref="BlobAddress"/>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Uploader">Address that signed the first upload.</param>
/// <param name="CreatedAt">UNIX seconds of the first upload.</param>
public sealed record BlobInfo(string Hash, long Size, string Uploader, long CreatedAt);
