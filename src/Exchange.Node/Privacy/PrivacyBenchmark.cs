using System.Diagnostics;
using System.Security.Cryptography;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Node.Client;
using NSec.Cryptography;

namespace Exchange.Node.Privacy;

/// <summary>The result of <c>exchange bench privacy</c>.</summary>
/// <param name="Model">The card whose tensors were used.</param>
/// <param name="Tasks">Tasks per round (in jobs of <see cref="PrivacyBenchmark.TasksPerJob"/>).</param>
/// <param name="InputBytes">Bytes of one task's input <c>.npy</c> files.</param>
/// <param name="OutputBytes">Bytes of one task's output <c>.npy</c> files.</param>
/// <param name="AeadMegabytesPerSec">ChaCha20-Poly1305 encryption of 1 MiB buffers as payloads are encrypted (the runtime's implementation), MB/s.</param>
/// <param name="NsecAeadMegabytesPerSec">The same with NSec's implementation, which payloads used before, on the same buffers in the same run, MB/s.</param>
/// <param name="PlumbingMicrosPerTask">What every task's bytes cost without privacy, per task: writing, hashing (client, API, checked download), storing and reading its input and output tensors.</param>
/// <param name="PrivacyMicrosPerTask">What privacy adds per task: key derivation, commitments, encrypting and decrypting input and output, and each job's sealed secret (shared by its tasks).</param>
/// <param name="Overhead">Privacy ÷ plumbing.</param>
public sealed record PrivacyBenchResult(
    string Model, int Tasks, int InputBytes, int OutputBytes, double AeadMegabytesPerSec, double NsecAeadMegabytesPerSec, double PlumbingMicrosPerTask, double PrivacyMicrosPerTask, double Overhead);

/// <summary>
/// Measures what private payloads add to a task's data path, against the plumbing every task pays
/// anyway, in one run on the same tensors (the card's inputs, outputs of the card's shape). The
/// plumbing side is the work on the bytes (<c>.npy</c> writing and reading, the blob address hashed by the
/// uploader, the API and the checked download, the API's file written, flushed and read back), not
/// the HTTP transfers, SQLite rows and chain calls a real task also pays, so the measured overhead
/// is an upper bound of privacy's share of a task's cost. The
/// two sides take turns for several rounds and each side's time is summed, so other load falls on
/// both alike.
/// </summary>
public static class PrivacyBenchmark
{
    /// <summary>Tasks per job: one job secret is sealed and opened per this many tasks.</summary>
    public const int TasksPerJob = 8;

    private const int Rounds = 10;
    private const int AeadBytes = 1 << 20;

    /// <summary>Runs the benchmark for <paramref name="tasks"/> tasks per round.</summary>
    public static PrivacyBenchResult Run(ModelRegistry registry, ModelEntry entry, int tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        var card = entry.Card;
        var inputs = ClientTask.Synthetic(card, registry, Math.Min(tasks, 8), seed: 1).Select(t => t.Inputs).ToList();
        var outputs = card.Outputs.Select(RandomTensor).ToArray();
        var work = Enumerable.Range(0, tasks).Select(i => inputs[i % inputs.Count]).ToArray();
        using var provider = Key.Create(KeyAgreementAlgorithm.X25519);
        var providerPublic = Bytes32.FromBytes(provider.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var wallet = RandomNumberGenerator.GetBytes(32);

        var folder = Directory.CreateTempSubdirectory("exchange-bench-privacy-").FullName;
        try
        {
            return Measure(card, tasks, work, outputs, wallet, provider, providerPublic, folder, cancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static PrivacyBenchResult Measure(
        ModelCard card, int tasks, IReadOnlyList<Tensor>[] work, Tensor[] outputs, byte[] wallet, Key provider, Bytes32 providerPublic, string folder, CancellationToken cancellationToken)
    {
        Plumbing(work, outputs, folder);
        Privacy(work, outputs, wallet, provider, providerPublic);
        TimeSpan plumbing = TimeSpan.Zero, privacy = TimeSpan.Zero;
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (round % 2 == 0)
            {
                plumbing += Plumbing(work, outputs, folder);
                privacy += Privacy(work, outputs, wallet, provider, providerPublic);
            }
            else
            {
                privacy += Privacy(work, outputs, wallet, provider, providerPublic);
                plumbing += Plumbing(work, outputs, folder);
            }
        }

        var perTask = (double)(Rounds * tasks);
        var plumbingMicros = plumbing.TotalMicroseconds / perTask;
        var privacyMicros = privacy.TotalMicroseconds / perTask;
        return new PrivacyBenchResult(
            card.Name, tasks, work[0].Sum(t => Npy.Write(t).Length), outputs.Sum(t => Npy.Write(t).Length), Aead((key, plaintext) => PayloadCipher.Encrypt(key, plaintext)), Aead(NsecEncrypt),
            Math.Round(plumbingMicros, 1), Math.Round(privacyMicros, 1), Math.Round(privacyMicros / plumbingMicros, 4));
    }

    /// <summary>
    /// The data path of a public task, per blob as the code runs it: the client writes the
    /// <c>.npy</c> and hashes it (its address); the API hashes the body it receives, writes it to a
    /// file and flushes it to disk, then reads it back to serve it; the reader checks the hash and
    /// parses the <c>.npy</c>. Inputs go client → provider, outputs provider → client.
    /// </summary>
    private static TimeSpan Plumbing(IReadOnlyList<Tensor>[] work, Tensor[] outputs, string folder)
    {
        var clock = Stopwatch.StartNew();
        foreach (var task in work)
        {
            foreach (var tensor in task.Concat(outputs))
            {
                var npy = Npy.Write(tensor);
                var address = BlobAddress.Of(npy);
                BlobAddress.Of(npy);
                var path = Path.Combine(folder, address.ToString());
                using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
                {
                    file.Write(npy);
                    file.Flush(flushToDisk: true);
                }

                var served = File.ReadAllBytes(path);
                BlobAddress.Of(served);
                Npy.Read(served);
                File.Delete(path);
            }
        }

        return clock.Elapsed;
    }

    /// <summary>What an encrypted task adds: the client derives, commits and encrypts; the provider opens, checks, decrypts and encrypts; the client decrypts.</summary>
    private static TimeSpan Privacy(IReadOnlyList<Tensor>[] work, Tensor[] outputs, byte[] wallet, Key provider, Bytes32 providerPublic)
    {
        var npyInputs = work.Select(task => task.Select(Npy.Write).ToArray()).ToArray();
        var npyOutputs = outputs.Select(Npy.Write).ToArray();
        var clock = Stopwatch.StartNew();
        foreach (var job in Enumerable.Range(0, work.Length).Chunk(TasksPerJob))
        {
            var client = JobCipher.NewForClient(wallet);
            var sealedInputs = job.Select((i, t) => npyInputs[i].Select((npy, j) => client.Task(t).EncryptInput(j, npy)).ToArray()).ToArray();

            // The blob address is hashed over ciphertext instead of plaintext: plumbing either way, not counted here.
            clock.Stop();
            var hashes = sealedInputs.Select(s => BlobAddress.Of(s[0])).ToArray();
            clock.Start();
            var privacy = client.Privacy(providerPublic, hashes);
            var opened = JobCipher.OpenForProvider(privacy, provider)!;
            for (var t = 0; t < job.Length; t++)
            {
                var task = opened.Task(t);
                if (!task.Matches(privacy, hashes[t]))
                {
                    throw new InvalidOperationException("the benchmark's commitment does not match");
                }

                for (var j = 0; j < sealedInputs[t].Length; j++)
                {
                    task.TryDecryptInput(j, sealedInputs[t][j], out _);
                }

                var mine = client.Task(t);
                for (var o = 0; o < npyOutputs.Length; o++)
                {
                    mine.TryDecryptOutput(o, task.EncryptOutput(o, npyOutputs[o]), out _);
                }
            }
        }

        return clock.Elapsed;
    }

    /// <summary>MB/s of <paramref name="encrypt"/> (a key, then a plaintext) on 1 MiB buffers for half a second.</summary>
    private static double Aead(Func<byte[], byte[], byte[]> encrypt)
    {
        var key = RandomNumberGenerator.GetBytes(PayloadCipher.KeyLength);
        var buffer = RandomNumberGenerator.GetBytes(AeadBytes);
        encrypt(key, buffer);
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        while (clock.ElapsedMilliseconds < 500)
        {
            encrypt(key, buffer);
            rounds++;
        }

        return Math.Round(rounds * (double)AeadBytes / 1e6 / clock.Elapsed.TotalSeconds, 1);
    }

    /// <summary>A payload sealed as <see cref="PayloadCipher.Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> seals it, with NSec's ChaCha20-Poly1305: the reference it replaced.</summary>
    private static byte[] NsecEncrypt(byte[] key, byte[] plaintext)
    {
        var algorithm = NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305;
        var sealedPayload = new byte[PayloadCipher.Overhead + plaintext.Length];
        sealedPayload[0] = PayloadCipher.Version;
        RandomNumberGenerator.Fill(sealedPayload.AsSpan(1, PayloadCipher.NonceLength));
        using var aeadKey = NSec.Cryptography.Key.Import(algorithm, key, NSec.Cryptography.KeyBlobFormat.RawSymmetricKey);
        algorithm.Encrypt(aeadKey, sealedPayload.AsSpan(1, PayloadCipher.NonceLength), sealedPayload.AsSpan(0, PayloadCipher.HeaderLength), plaintext, sealedPayload.AsSpan(PayloadCipher.HeaderLength));
        return sealedPayload;
    }

    private static Tensor RandomTensor(TensorSpec spec)
    {
        var shape = spec.Shape.Select(d => d == TensorSpec.DynamicDimension ? 1 : d).ToArray();
        var bytes = RandomNumberGenerator.GetBytes((int)(shape.Aggregate(1L, (a, b) => a * b) * spec.DType.Size()));
        return new Tensor(spec.DType, shape, bytes);
    }
}
