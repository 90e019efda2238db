using Microsoft.Win32.SafeHandles;

namespace Exchange.Api.Blobs;

/// <summary>
/// One blob's bytes in a pack file (<see cref="BlobStore"/>): a read-only, seekable view of
/// <paramref name="length"/> bytes from <paramref name="offset"/>, so that range requests and
/// batch reads see the blob as if it were a file of its own. Owns the handle.
/// </summary>
internal sealed class PackSlice(SafeFileHandle handle, long offset, long length) : Stream
{
    private long _position;

    public override bool CanRead => !handle.IsClosed;

    public override bool CanSeek => !handle.IsClosed;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a position is at least 0");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = RandomAccess.Read(handle, buffer[..Available(buffer.Length)], offset + _position);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await RandomAccess.ReadAsync(handle, buffer[..Available(buffer.Length)], offset + _position, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "not a seek origin"),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("a blob never changes");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a blob never changes");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>How many of <paramref name="wanted"/> bytes the slice still has from the position (none past its end).</summary>
    private int Available(int wanted) => (int)Math.Clamp(length - _position, 0, wanted);
}
