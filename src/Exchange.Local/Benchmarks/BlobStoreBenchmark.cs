using System.Diagnostics;
using System.Security.Cryptography;
using Exchange.Api.Blobs;
using Exchange.Api.Infrastructure;
using Exchange.Api.Migrations;
using Exchange.Core.Hashing;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Node.Client;
using Exchange.Storage;
using Microsoft.Extensions.Options;

namespace Exchange.Local.Benchmarks;

/// <summary>The result of <c>exchange bench blobs</c>.</summary>
/// <param name="Model">The card whose input blob's size the blobs have.</param>
/// <param name="BlobBytes">Bytes per blob: the card's first input as a <c>.npy</c> file.</param>
/// <param name="BlobsPerUpload">Blobs per upload (a batch).</param>
/// <param name="Blobs">Blobs stored per side.</param>
/// <param name="PackCpuMicrosPerBlob">The API's store (one pack file per upload, its SQLite rows): process CPU, microseconds per blob.</param>
/// <param name="FilesCpuMicrosPerBlob">A file per blob (the layout before packs, without its rows): process CPU, microseconds per blob.</param>
/// <param name="PackWallMicrosPerBlob">The API's store: wall time, microseconds per blob.</param>
/// <param name="FilesWallMicrosPerBlob">A file per blob: wall time, microseconds per blob.</param>
/// <param name="CpuSpeedup">CPU of a file per blob ÷ CPU of the packs.</param>
public sealed record BlobStoreBenchResult(
    string Model, int BlobBytes, int BlobsPerUpload, int Blobs, double PackCpuMicrosPerBlob, double FilesCpuMicrosPerBlob,
    double PackWallMicrosPerBlob, double FilesWallMicrosPerBlob, double CpuSpeedup);

/// <summary>
/// What storing uploaded blobs costs the API on this machine's disk: its store (<see cref="BlobStore"/>:
/// an upload's blobs appended to one pack file, hashed, synced once, moved into place and recorded in
/// SQLite) against the layout it replaced, a file per blob (a temporary file each, hashed, synced and
/// renamed into place by its hash), on the same bytes in one run. The reference leaves out the
/// SQLite rows the store writes, so it is flattered, not the store. Fresh random blobs every round
/// (as encrypted payloads are), the sides taking turns, each side's time summed.
/// </summary>
public static class BlobStoreBenchmark
{
    private const int Rounds = 10;
    private const string Uploader = "0x0000000000000000000000000000000000000001";

    /// <summary>Stores <paramref name="blobsPerUpload"/> blobs per round each way, under <paramref name="folder"/> (a fresh temporary folder when null, removed after).</summary>
    public static async Task<BlobStoreBenchResult> RunAsync(ModelRegistry registry, ModelEntry entry, int blobsPerUpload, string? folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(blobsPerUpload, 1);
        var size = Npy.Write(ClientTask.Synthetic(entry.Card, registry, 1, seed: 1)[0].Inputs[0]).Length;
        var root = Path.Combine(folder ?? Path.GetTempPath(), "exchange-bench-blobs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var packs = Path.Combine(root, "packs");
            Directory.CreateDirectory(packs);
            var database = new SqliteConnectionFactory(Path.Combine(packs, "exchange.db"));
            await SchemaMigrator.MigrateAsync(database, ApiMigrations.Database, cancellationToken).ConfigureAwait(false);
            var store = new BlobStore(Options.Create(new ApiOptions { DataDirectory = packs }), database, TimeProvider.System);
            var files = Path.Combine(root, "files");

            // One round of each first, unmeasured: the code paths compiled and the folders made.
            await StorePackAsync(store, Blobs(1, size), cancellationToken).ConfigureAwait(false);
            StoreFiles(files, Blobs(1, size));
            (TimeSpan Cpu, TimeSpan Wall) pack = default, each = default;
            for (var round = 0; round < Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var forPacks = Blobs(blobsPerUpload, size);
                var forFiles = Blobs(blobsPerUpload, size);
                if (round % 2 == 0)
                {
                    pack = Add(pack, await MeasureAsync(() => StorePackAsync(store, forPacks, cancellationToken)).ConfigureAwait(false));
                    each = Add(each, await MeasureAsync(() => Task.Run(() => StoreFiles(files, forFiles), cancellationToken)).ConfigureAwait(false));
                }
                else
                {
                    each = Add(each, await MeasureAsync(() => Task.Run(() => StoreFiles(files, forFiles), cancellationToken)).ConfigureAwait(false));
                    pack = Add(pack, await MeasureAsync(() => StorePackAsync(store, forPacks, cancellationToken)).ConfigureAwait(false));
                }
            }

            double count = Rounds * blobsPerUpload;
            return new BlobStoreBenchResult(
                entry.Card.Name, size, blobsPerUpload, Rounds * blobsPerUpload,
                Math.Round(pack.Cpu.TotalMicroseconds / count, 1), Math.Round(each.Cpu.TotalMicroseconds / count, 1),
                Math.Round(pack.Wall.TotalMicroseconds / count, 1), Math.Round(each.Wall.TotalMicroseconds / count, 1),
                Math.Round(each.Cpu / pack.Cpu, 2));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static byte[][] Blobs(int count, int size) => [.. Enumerable.Range(0, count).Select(_ => RandomNumberGenerator.GetBytes(size))];

    private static (TimeSpan, TimeSpan) Add((TimeSpan Cpu, TimeSpan Wall) sum, (TimeSpan Cpu, TimeSpan Wall) one) => (sum.Cpu + one.Cpu, sum.Wall + one.Wall);

    /// <summary>The process's CPU time (every thread's, the kernel's work for it included) and the wall time of <paramref name="work"/>.</summary>
    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> MeasureAsync(Func<Task> work)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await work().ConfigureAwait(false);
        var wall = clock.Elapsed;
        process.Refresh();
        return (process.TotalProcessorTime - cpu, wall);
    }

    /// <summary>One upload as the API stores it.</summary>
    private static async Task StorePackAsync(BlobStore store, byte[][] blobs, CancellationToken cancellationToken)
    {
        using var pack = store.Receive();
        foreach (var blob in blobs)
        {
            using var body = new MemoryStream(blob, writable: false);
            _ = await pack.ReceiveExactAsync(body, blob.Length, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("a blob was not received whole");
        }

        await store.CommitAsync(pack, Uploader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same blobs, a file each: written to a temporary file while hashed, synced, renamed to <c>ab/&lt;hash&gt;</c>.</summary>
    private static void StoreFiles(string root, byte[][] blobs)
    {
        var incoming = Path.Combine(root, "incoming");
        Directory.CreateDirectory(incoming);
        foreach (var blob in blobs)
        {
            var temp = Path.Combine(incoming, Guid.NewGuid().ToString("N"));
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
            {
                file.Write(blob);
                file.Flush(flushToDisk: true);
            }

            var hash = BlobAddress.Of(blob).ToString();
            var target = Path.Combine(root, hash[2..4], hash[2..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target);
        }
    }
}
