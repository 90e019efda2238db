using System.Runtime.InteropServices;
using Exchange.Api.Infrastructure;
using Exchange.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Exchange.Api.Tests.Operations;

/// <summary>
/// Kestrel receives the API's request bodies in blocks of <see cref="LargeBlockMemoryPool.BlockSize"/>
/// (one system call per block), and the pool that lends them never lends one block to two holders.
/// </summary>
public sealed class ReceiveBufferTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_api_receives_a_blob_sized_body_in_blocks_larger_than_kestrels_default_4_KiB()
    {
        // The API as `exchange api run` builds it, on a loopback port, with one extra route that reports
        // the largest piece of its body the transport handed over at once.
        await using var app = ApiApplication.Create(["--urls=http://127.0.0.1:0", $"--Api:DataDirectory={_data.Path}"]);
        app.MapPost("/test/largest-received-segment", async (HttpContext context) =>
        {
            var largest = 0;
            while (true)
            {
                var read = await context.Request.BodyReader.ReadAsync();
                foreach (var segment in read.Buffer)
                {
                    largest = Math.Max(largest, segment.Length);
                }
                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return largest;
                }
            }
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            // One blob of a 224×224×3 byte image, sent in one write.
            using var response = await http.PostAsync("/test/largest-received-segment", new ByteArrayContent(new byte[150_528]));
            response.EnsureSuccessStatusCode();

            var largest = int.Parse(await response.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
            // Kestrel's own pool lends 4,096-byte blocks, and a piece of the body never spans two.
            Assert.InRange(largest, 4_097, LargeBlockMemoryPool.BlockSize);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Kestrels_connection_cap_is_read_from_configuration()
    {
        // What an operator sets so that trickling requests cannot hold more than so many blocks.
        await using var app = ApiApplication.Create(["--urls=http://127.0.0.1:0", $"--Api:DataDirectory={_data.Path}", "--Kestrel:Limits:MaxConcurrentConnections=1"]);
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Urls.First());
            using var first = await OpenAsync(address);
            Assert.StartsWith("HTTP/1.1 200", await HealthAsync(first));

            using var second = await OpenAsync(address);
            // Kestrel closes a connection over the cap without an answer.
            Assert.Equal("", await HealthAsync(second));
            Assert.StartsWith("HTTP/1.1 200", await HealthAsync(first));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2_048)]
    [InlineData(LargeBlockMemoryPool.BlockSize)]
    public void Every_block_is_a_whole_block_whatever_size_is_asked(int size)
    {
        using var pool = new LargeBlockMemoryPool();
        using var block = pool.Rent(size);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, block.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void A_size_over_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void A_returned_block_is_lent_again_and_unusable_by_its_last_holder()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        var array = ArrayOf(first);
        first.Dispose();

        Assert.Equal(1, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
        using var second = pool.Rent();
        Assert.Same(array, ArrayOf(second));
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void A_block_returned_twice_is_lent_to_one_holder_only()
    {
        using var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        using var first = pool.Rent();
        using var second = pool.Rent();

        Assert.NotSame(ArrayOf(first), ArrayOf(second));
    }

    [Fact]
    public void The_pool_keeps_a_bounded_number_of_free_blocks()
    {
        using var pool = new LargeBlockMemoryPool();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPool.RetainedBlocks + 36).Select(_ => pool.Rent()).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(LargeBlockMemoryPool.RetainedBlocks, pool.FreeBlocks);
    }

    [Fact]
    public void A_disposed_pool_lends_nothing_and_keeps_nothing()
    {
        var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        pool.Rent().Dispose();

        pool.Dispose();
        block.Dispose();

        Assert.Equal(0, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    private static async Task<System.Net.Sockets.Socket> OpenAsync(Uri address)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port);
        return socket;
    }

    /// <summary>One keep-alive request for /health on the socket: the whole answer, or "" when the server closed the connection.</summary>
    private static async Task<string> HealthAsync(System.Net.Sockets.Socket socket)
    {
        await socket.SendAsync("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var answer = new System.Text.StringBuilder();
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // The answer is chunked: it ends with the empty chunk.
        while (!answer.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }
            answer.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }
        return answer.ToString();
    }

    private static byte[] ArrayOf(System.Buffers.IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
