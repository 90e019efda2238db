using System.Diagnostics;
using System.Globalization;
using System.Net;
using Exchange.Api.Tests.Support;
using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Xunit.Abstractions;

namespace Exchange.Api.Tests.Load;

/// <summary>
/// 1,000 signed uploads from 16 concurrent clients over real HTTP (Kestrel on loopback), the
/// uploader's deposit checked on the live chain, then every blob read back and compared byte for
/// byte. The reference in the same run is a GET /health from the same clients: the floor of a round
/// trip through the same middleware.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class BlobLoadTests(ChainFixture chain, ITestOutputHelper output)
{
    private const int Uploads = 1_000;
    private const int Clients = 16;
    private const int Uploader = 15;

    [Fact]
    public async Task Thousand_uploads_from_sixteen_clients_are_all_retrievable_byte_for_byte()
    {
        await ChainActions.DepositAsync(chain, Uploader, ChainActions.Tokens(1));
        using var api = ChainActions.Api(chain,
            new Dictionary<string, string?> { ["Api:RequestsPerSecondPerIp"] = "100000", ["Api:WritesPerSecondPerAddress"] = "100000" });
        var address = api.StartKestrel();
        var random = new Random(1234);
        var blobs = Enumerable.Range(0, Uploads).Select(_ =>
        {
            var bytes = new byte[random.Next(1_024, 16_385)];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();
        // Signing is the client's cost, not the server's: it happens before the clock starts.
        var requests = blobs.Select(b => Support.Uploads.Put(b, DevAccounts.Key(Uploader))).ToArray();
        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = address }).ToArray();
        try
        {
            var health = await Measure(clients, Uploads, (client, _) => client.GetAsync("/health"));
            var wall = Stopwatch.StartNew();
            var uploads = await Measure(clients, Uploads, (client, i) => client.SendAsync(requests[i]));
            wall.Stop();

            await Parallel.ForEachAsync(Enumerable.Range(0, Uploads), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, ct) =>
            {
                var bytes = await clients[i % Clients].GetByteArrayAsync($"/blobs/{Support.Uploads.Address(blobs[i])}", ct);
                Assert.Equal(blobs[i], bytes);
            });
            Assert.Equal(Uploads, api.CountRows("api_blobs"));

            var report = string.Create(CultureInfo.InvariantCulture,
                $"blob load: {Uploads} uploads ({blobs.Sum(b => (long)b.Length) / 1024} KiB, 1-16 KiB each) from {Clients} clients in {wall.Elapsed.TotalSeconds:F2} s " +
                $"({Uploads / wall.Elapsed.TotalSeconds:F0}/s); PUT p50 {Percentile(uploads, 50):F1} ms, p99 {Percentile(uploads, 99):F1} ms; " +
                $"reference GET /health p50 {Percentile(health, 50):F1} ms, p99 {Percentile(health, 99):F1} ms");
            output.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "blob-load.txt"), report + Environment.NewLine);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<double[]> Measure(HttpClient[] clients, int count, Func<HttpClient, int, Task<HttpResponseMessage>> send)
    {
        var latencies = new double[count];
        var next = -1;
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await send(client, i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"request {i}: {response.StatusCode}");
            }
        })));
        return latencies;
    }

    private static double Percentile(double[] values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }
}
