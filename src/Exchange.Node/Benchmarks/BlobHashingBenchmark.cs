using System.Diagnostics;
using Exchange.Core.Hashing;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Node.Client;

namespace Exchange.Node.Benchmarks;

/// <summary>The result of <c>exchange bench hashing</c>.</summary>
/// <param name="Model">The card whose input tensor was hashed.</param>
/// <param name="BlobBytes">Bytes of the hashed blob: the first input's <c>.npy</c> file.</param>
/// <param name="Blobs">Blobs hashed per side.</param>
/// <param name="KeccakMicrosPerBlob">keccak256 (the former blob address), microseconds per blob.</param>
/// <param name="AddressMicrosPerBlob"><see cref="BlobAddress"/> (SHA-256), microseconds per blob.</param>
/// <param name="KeccakMegabytesPerSec">keccak256 throughput, MB/s.</param>
/// <param name="AddressMegabytesPerSec"><see cref="BlobAddress"/> throughput, MB/s.</param>
/// <param name="Speedup">keccak256 time ÷ blob address time.</param>
public sealed record BlobHashingBenchResult(
    string Model, int BlobBytes, int Blobs, double KeccakMicrosPerBlob, double AddressMicrosPerBlob,
    double KeccakMegabytesPerSec, double AddressMegabytesPerSec, double Speedup);

/// <summary>
/// Measures what addressing one task input costs with the blob address against keccak256, the
/// address it replaced, on the same bytes in one run. Each input is hashed three times on its way
/// (uploader, API, provider) and each output as often, so a task pays several of these. The two sides
/// take turns for several rounds and each side's time is summed, so other load falls on both alike.
/// </summary>
public static class BlobHashingBenchmark
{
    private const int Rounds = 10;

    /// <summary>Hashes the card's first input tensor <paramref name="blobs"/> times per round with each function.</summary>
    public static BlobHashingBenchResult Run(ModelRegistry registry, ModelEntry entry, int blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(blobs, 1);
        var bytes = Npy.Write(ClientTask.Synthetic(entry.Card, registry, 1, seed: 1)[0].Inputs[0]);
        Keccak.Hash(bytes);
        BlobAddress.Of(bytes);
        TimeSpan keccak = TimeSpan.Zero, address = TimeSpan.Zero;
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (round % 2 == 0)
            {
                keccak += Time(blobs, () => Keccak.Hash(bytes));
                address += Time(blobs, () => BlobAddress.Of(bytes));
            }
            else
            {
                address += Time(blobs, () => BlobAddress.Of(bytes));
                keccak += Time(blobs, () => Keccak.Hash(bytes));
            }
        }

        double count = Rounds * blobs;
        double megabytes = count * bytes.Length / 1e6;
        return new BlobHashingBenchResult(
            entry.Card.Name, bytes.Length, Rounds * blobs,
            Math.Round(keccak.TotalMicroseconds / count, 1), Math.Round(address.TotalMicroseconds / count, 1),
            Math.Round(megabytes / keccak.TotalSeconds), Math.Round(megabytes / address.TotalSeconds),
            Math.Round(keccak / address, 2));
    }

    private static TimeSpan Time(int blobs, Func<Bytes32> hash)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < blobs; i++)
        {
            hash();
        }

        return clock.Elapsed;
    }
}
