using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Exchange.Api.Infrastructure;

/// <summary>
/// Kestrel's buffers in blocks of 64 KiB instead of its default 4 KiB. Kestrel receives into one
/// block at a time, so with 4 KiB blocks a 150 KB blob took about 37 <c>recvfrom</c> calls, each after
/// a one-byte peek (Kestrel waits for data before it takes a block): about 75 system calls per blob
/// against about 6 with these blocks. The API's requests are mostly blobs; a small request only
/// leaves the block's tail unused while it is parsed, and the block goes back to the pool.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of every block.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept for reuse (4 MiB a pool; Kestrel makes one per I/O queue); more are left to the GC, so an idle API holds little.</summary>
    public const int RetainedBlocks = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting in the pool for reuse.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is over <see cref="BlockSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Lease();
            return block;
        }

        return new Block(this);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private void Return(Block block)
    {
        if (_disposed || Interlocked.Increment(ref _freeCount) > RetainedBlocks)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _freeCount);
            }

            return;
        }

        _free.Enqueue(block);
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        // Pinned (the pinned object heap): sockets hold it across asynchronous reads and writes.
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int _leased = 1;

        public Memory<byte> Memory
        {
            get
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _leased) == 0, this);
                return _array;
            }
        }

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // A second Dispose must not queue the block twice: two renters would share its bytes.
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}

/// <summary>Hands Kestrel's socket transport (and any other user of the factory) a <see cref="LargeBlockMemoryPool"/>.</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
