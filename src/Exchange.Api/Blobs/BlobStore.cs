using Dapper;
using Exchange.Core.Hashing;
using Exchange.Storage;
using Exchange.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Blobs;

/// <summary>
/// Content-addressed blobs under <c>{data}/blobs</c>, with their metadata in SQLite. An upload's
/// blobs are appended to one pack file of their own (<c>blobs/packs/{id}</c>) and each blob's row
/// names its pack and offset: on a disk file system, creating a file is the dear part of storing a
/// small blob (<c>exchange bench blobs</c>: 1.7-2.9 times the CPU per 150 KB blob on the
/// development machine's ext4; docs/performance.md), so a batch of 64 blobs pays for one file, not
/// 64. Blobs stored before packs keep a file of their own, named by their hash. A blob exists for
/// readers once its row exists; its pack is complete and synced before the row is written, and
/// never changes after.
/// </summary>
public sealed class BlobStore(IOptions<ApiOptions> options, SqliteConnectionFactory connections, TimeProvider time)
{
    private const int BufferSize = 81920;
    // Plain columns only: with no row to read, SQLite types an expression's column as a blob and the record's constructor no longer matches.
    private const string Columns = "hash AS Hash, size AS Size, uploader AS Uploader, created_at AS CreatedAt, pack AS Pack, pack_offset AS Offset";
    private readonly string _root = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "blobs");

    private string IncomingDirectory => Path.Combine(_root, "incoming");

    private string PacksDirectory => Path.Combine(_root, "packs");

    /// <summary>
    /// Starts receiving an upload: a pack file under <c>blobs/incoming</c> that its blobs are
    /// appended to, removed on disposal unless <see cref="CommitAsync"/> took it.
    /// </summary>
    public IncomingPack Receive()
    {
        Directory.CreateDirectory(IncomingDirectory);
        return new IncomingPack(IncomingDirectory, Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// Moves a received pack into place and records its blobs in one transaction (one disk sync for
    /// the rows); for each blob, whether it is new (false when it was stored before, or earlier in
    /// the pack). A pack none of whose blobs is new is removed: nothing would ever read it.
    /// </summary>
    public async Task<bool[]> CommitAsync(IncomingPack pack, string uploader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var blobs = pack.Blobs;
        var stored = new bool[blobs.Count];
        if (blobs.Count == 0)
        {
            return stored;
        }

        await pack.SealAsync(ct);
        Directory.CreateDirectory(PacksDirectory);
        var target = Path.Combine(PacksDirectory, pack.Id);
        File.Move(pack.TempPath, target, overwrite: false);
        pack.Committed = true;

        var createdAt = time.GetUtcNow().ToUnixTimeSeconds();
        await using (var connection = await connections.OpenAsync(ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            for (var i = 0; i < blobs.Count; i++)
            {
                stored[i] = await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT OR IGNORE INTO api_blobs (hash, size, uploader, created_at, pack, pack_offset) VALUES (@Hash, @Size, @Uploader, @CreatedAt, @Pack, @Offset)",
                    new { blobs[i].Hash, blobs[i].Size, Uploader = uploader, CreatedAt = createdAt, Pack = pack.Id, blobs[i].Offset }, transaction, cancellationToken: ct)) == 1;
            }
            await transaction.CommitAsync(ct);
        }

        if (!stored.Any(s => s))
        {
            File.Delete(target);
        }
        return stored;
    }

    /// <summary>
    /// A stored blob's bytes: a read-only, seekable stream of exactly <see cref="BlobInfo.Size"/>
    /// bytes, its own file's or its slice of a pack.
    /// </summary>
    public Stream OpenRead(BlobInfo blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (blob.Pack is null)
        {
            return new FileStream(Path.Combine(_root, blob.Hash[2..4], blob.Hash[2..]), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        return new PackSlice(File.OpenHandle(Path.Combine(PacksDirectory, blob.Pack), FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous), blob.Offset ?? 0, blob.Size);
    }

    /// <summary>The metadata of the stored blobs among <paramref name="hashes"/>, by hash.</summary>
    public async Task<IReadOnlyDictionary<string, BlobInfo>> FindManyAsync(IEnumerable<string> hashes, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<BlobInfo>(new CommandDefinition(
            $"SELECT {Columns} FROM api_blobs WHERE hash IN @hashes",
            new { hashes = hashes.Distinct().ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Hash);
    }

    /// <summary>The metadata of a stored blob, or null when there is none.</summary>
    public async Task<BlobInfo?> FindAsync(string hash, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<BlobInfo>(new CommandDefinition(
            $"SELECT {Columns} FROM api_blobs WHERE hash = @hash",
            new { hash }, cancellationToken: ct));
    }
}

/// <summary>
/// An upload being received into a pack file: each blob is appended while it is hashed. Disposing
/// it removes the file unless it was committed, so a refused or broken upload leaves nothing.
/// </summary>
public sealed class IncomingPack : IDisposable
{
    private const int BufferSize = 81920;
    private readonly FileStream _file;
    private readonly List<IncomingBlob> _blobs = [];
    private readonly byte[] _buffer = new byte[BufferSize];
    private bool _sealed;

    internal IncomingPack(string directory, string id)
    {
        Id = id;
        TempPath = Path.Combine(directory, id);
        _file = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
    }

    /// <summary>The pack's name under <c>blobs/packs</c> once committed.</summary>
    public string Id { get; }

    /// <summary>The file while it is received.</summary>
    public string TempPath { get; }

    /// <summary>The blobs received so far, in order.</summary>
    public IReadOnlyList<IncomingBlob> Blobs => _blobs;

    internal bool Committed { get; set; }

    /// <summary>
    /// Appends the body (the whole of it) as a blob while hashing it. Returns null when the body
    /// exceeds <paramref name="maxBytes"/>; the upload is then refused as a whole.
    /// </summary>
    public Task<IncomingBlob?> ReceiveAsync(Stream body, long maxBytes, CancellationToken ct) =>
        ReceiveCoreAsync(body, maxBytes, exact: false, ct);

    /// <summary>
    /// Appends the next <paramref name="size"/> bytes of a body (one blob of a batch) while hashing
    /// them, and no byte more. Returns null when the body ends first.
    /// </summary>
    public Task<IncomingBlob?> ReceiveExactAsync(Stream body, long size, CancellationToken ct) =>
        ReceiveCoreAsync(body, size, exact: true, ct);

    private async Task<IncomingBlob?> ReceiveCoreAsync(Stream body, long limit, bool exact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ObjectDisposedException.ThrowIf(_sealed, this);
        using var hasher = BlobAddress.NewHasher();
        var offset = _file.Position;
        long size = 0;
        int read;
        // An exact read asks for no more than the blob's rest, so the next blob's bytes stay in the body.
        while ((read = await body.ReadAsync(exact ? _buffer.AsMemory(0, (int)Math.Min(BufferSize, limit - size)) : _buffer, ct)) > 0)
        {
            size += read;
            if (size > limit)
            {
                return null;
            }
            hasher.AppendData(_buffer, 0, read);
            await _file.WriteAsync(_buffer.AsMemory(0, read), ct);
            if (exact && size == limit)
            {
                break;
            }
        }
        if (exact && size < limit)
        {
            return null;
        }

        var blob = new IncomingBlob(BlobAddress.Finish(hasher).ToString(), size, offset);
        _blobs.Add(blob);
        return blob;
    }

    /// <summary>Writes the pack out and syncs it to disk (once for all its blobs).</summary>
    internal async Task SealAsync(CancellationToken ct)
    {
        if (_sealed)
        {
            return;
        }
        await _file.FlushAsync(ct);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync();
        _sealed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        _sealed = true;
        if (!Committed)
        {
            File.Delete(TempPath);
        }
    }
}

/// <summary>A blob received into a pack.</summary>
/// <param name="Hash">The bytes' <see cref="BlobAddress"/>, 0x-prefixed lowercase hex.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Offset">Where its bytes start in the pack.</param>
public sealed record IncomingBlob(string Hash, long Size, long Offset);

/// <summary>Metadata of a stored blob.</summary>
/// <param name="Hash">The bytes' <see cref="BlobAddress"/>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Uploader">Address that signed the first upload.</param>
/// <param name="CreatedAt">UNIX seconds of the first upload.</param>
/// <param name="Pack">The pack file that holds it; null for a blob stored before packs, in a file of its own.</param>
/// <param name="Offset">Where its bytes start in the pack; null for a blob stored before packs.</param>
public sealed record BlobInfo(string Hash, long Size, string Uploader, long CreatedAt, string? Pack, long? Offset);
