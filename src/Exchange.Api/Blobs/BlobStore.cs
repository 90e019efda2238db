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
    public async Task<IncomingBlob?> ReceiveAsync(Stream body, long maxBytes, CancellationToken ct)
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
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        return null;
                    }
                    hasher.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
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
        await using var connection = await connections.OpenAsync(ct);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO api_blobs (hash, size, uploader, created_at) VALUES (@Hash, @Size, @Uploader, @CreatedAt)",
            new { blob.Hash, blob.Size, Uploader = uploader, CreatedAt = time.GetUtcNow().ToUnixTimeSeconds() },
            cancellationToken: ct));
        return inserted == 1;
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
