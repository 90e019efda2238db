using System.Text;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;
using NSec.Cryptography;

namespace Exchange.Node.Tests.Privacy;

/// <summary>
/// The demo, encrypted as it is by default, on a live Hardhat chain: what the API stores, what each
/// verifier can open, and where secrets never appear. Accounts: provider1 1, cheater 2, verifiers
/// 3-5, client 6.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class PrivateDemoTests : IDisposable
{
    private const int ClientAccount = 6;
    private static readonly string[] Verifiers = ["verifier1", "verifier2", "verifier3"];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private DemoOptions Options(CheatMode cheat) => new()
    {
        Providers = 2,
        Verifiers = 3,
        Tasks = 16,
        TasksPerJob = 8,
        // Every task of the cheater's job is false, so that any audited task catches it.
        CheatRate = 1,
        Cheat = cheat,
        Seed = 13,
        Model = "resnet-preprocess",
        AuditRateBps = 10_000,
        AuditedTasksPerJob = 3,
        ChallengeWindowSeconds = 2,
        JobDeadlineSeconds = 40,
        DataDirectory = _folder.Path,
        Timeout = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task An_encrypted_run_stores_only_random_looking_ciphertext_that_only_the_drawn_can_open_and_leaks_no_secret()
    {
        using var logs = new CapturedLogs();
        var options = Options(CheatMode.Perturb);
        var summary = await new DemoNetwork(options, logs).RunAsync(CancellationToken.None);
        Assert.Equal(0, summary.Jobs.Pending);
        Assert.Equal(1, summary.CheaterSlashes);
        Assert.True(summary.Conserved);

        var blobs = StoredBlobs.ReadAll(Path.Combine(_folder.Path, "api"));
        var manifests = blobs.Values.Select(TryManifest).OfType<JobManifest>().ToList();
        var outputs = blobs.Values.Select(TryOutputs).OfType<OutputManifest>().ToList();
        Assert.Equal(2, manifests.Count);
        Assert.All(manifests, m => Assert.True(m.IsEncrypted));
        Assert.Equal(2, outputs.Count);

        // The client's plaintext: the demo's synthetic images as the client made them, and the
        // outputs as it decrypts them with the key it rederives from its wallet.
        var wallet = DevAccounts.Key(ClientAccount).GetPrivateKeyAsBytes();
        var card = new ModelRegistry(new ModelStore(Path.Combine(_folder.Path, "models"))).Resolve(options.Model).Card;
        var inputs = ClientTask.Synthetic(card, new ModelRegistry(new ModelStore(Path.Combine(_folder.Path, "models"))), options.Tasks, options.Seed)
            .Select(t => Npy.Write(t.Inputs[0])).ToList();
        var payloads = manifests.SelectMany(m => m.Tasks.SelectMany(t => t.Inputs.Select(b => b.Hash)))
            .Concat(outputs.SelectMany(o => o.Tasks.SelectMany(t => t.Outputs.Select(b => b.Hash)))).ToList();
        Assert.Equal(16 + 16, payloads.Count);
        var plaintexts = new List<byte[]>(inputs);
        var secrets = new List<byte[]>();
        foreach (var manifest in manifests)
        {
            var job = JobCipher.ForClient(wallet, manifest.Privacy!.Salt);
            foreach (var task in manifest.Tasks)
            {
                var cipher = job.Task(task.Index);
                secrets.Add(cipher.Key.ToArray());
                Assert.True(cipher.TryDecryptInput(0, blobs[task.Inputs[0].Hash], out var input));
                Assert.Contains(inputs, i => i.AsSpan().SequenceEqual(input));
                foreach (var output in outputs)
                {
                    if (cipher.TryDecryptOutput(0, blobs[output.Tasks[task.Index].Outputs[0].Hash], out var plaintext))
                    {
                        plaintexts.Add(plaintext);
                    }
                }
            }
        }

        Assert.Equal(16 + 16, plaintexts.Count);
        foreach (var hash in payloads)
        {
            // Uniform bytes measure 8 bits per byte less the estimator's bias for n samples in 256 bins.
            var stored = blobs[hash];
            var uniform = 8 - (255 / (2.0 * stored.Length * Math.Log(2)));
            Assert.True(Entropy(stored) > uniform - 0.05, $"blob {hash} has {Entropy(stored):F3} bits per byte, uniform bytes {uniform:F3}: not random-looking");
        }

        // No stored blob of any kind holds a plaintext tensor or a distinctive piece of one.
        foreach (var plaintext in plaintexts)
        {
            var data = plaintext.AsSpan(plaintext.Length / 2, 64).ToArray();
            Assert.All(blobs.Values, stored => Assert.Equal(-1, stored.AsSpan().IndexOf(data)));
        }

        // Each verifier opens exactly the tasks revealed to it, and nothing else with anything it holds.
        var reveals = await RevealsAsync();
        Assert.NotEmpty(reveals);
        foreach (var name in Verifiers)
        {
            using var key = Key.Import(KeyAgreementAlgorithm.X25519, File.ReadAllBytes(Path.Combine(_folder.Path, name, ProviderEncryptionKey.FileName)), KeyBlobFormat.RawPrivateKey);
            var address = DevAccounts.Address(3 + Array.IndexOf(Verifiers, name)).ToLowerInvariant();
            foreach (var manifest in manifests)
            {
                Assert.Null(JobCipher.OpenForProvider(manifest.Privacy!, key));
                var manifestHash = manifest.Hash;
                foreach (var task in manifest.Tasks)
                {
                    var boxes = reveals.Where(r => r.Reveal.ManifestHash == manifestHash && r.Reveal.Keys.ContainsKey(task.Index)).ToList();
                    var opened = boxes.Select(r => TaskCipher.OpenReveal(key, manifest.Privacy!, manifestHash, task.Index, task.InputHash, r.Reveal.Keys[task.Index])).OfType<TaskCipher>().ToList();
                    var drawn = boxes.Any(r => r.Recipient == address);
                    Assert.Equal(drawn, opened.Count > 0);
                    if (drawn)
                    {
                        Assert.True(opened[0].TryDecryptInput(0, blobs[task.Inputs[0].Hash], out _));
                    }
                }
            }
        }

        // The committee of the cheater's dispute got keys too (more recipients than the one verifier).
        Assert.True(reveals.Select(r => r.Recipient).Distinct().Count() > 1);

        // No key or secret in the logs, the databases or anything else on disk but the key files.
        foreach (var name in new[] { "provider1", "cheater" }.Concat(Verifiers))
        {
            secrets.Add(File.ReadAllBytes(Path.Combine(_folder.Path, name, ProviderEncryptionKey.FileName)));
        }

        foreach (var manifest in manifests)
        {
            secrets.Add(KeySchedule.ClientJobSecret(wallet, manifest.Privacy!.Salt.ToArray()));
        }

        var files = Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ProviderEncryptionKey.FileName && !f.Contains(Path.DirectorySeparatorChar + "models" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(File.ReadAllBytes).ToList();
        files.Add(Encoding.UTF8.GetBytes(logs.Text));
        Assert.Contains("revealed the keys of tasks", logs.Text, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            var forms = new[] { secret, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)), Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)) };
            Assert.All(files, file => Assert.All(forms, form => Assert.Equal(-1, file.AsSpan().IndexOf(form))));
        }
    }

    [Fact]
    public async Task A_provider_that_reveals_a_wrong_key_to_the_drawn_verifier_is_slashed()
    {
        var summary = await new DemoNetwork(Options(CheatMode.WrongKey), new CapturedLogs()).RunAsync(CancellationToken.None);

        // Job 1 honest, job 2 the cheater's: its outputs are right, but the keys it reveals for the
        // picked tasks are not the committed ones, so the verifier and the committee judge them wrong.
        Assert.Equal(new DemoJobCounts(Settled: 1, Slashed: 1, Expired: 0, Pending: 0), summary.Jobs);
        Assert.Equal(1, summary.CheaterSlashes);
        Assert.True(summary.Conserved);
        Assert.Equal((1, 1), summary.Audits);
    }

    private async Task<List<(string Recipient, KeyReveal Reveal)>> RevealsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder.Path, "api", "exchange.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT recipient, body FROM api_key_reveals";
        var reveals = new List<(string, KeyReveal)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            reveals.Add((reader.GetString(0), KeyReveal.TryParse((byte[])reader[1])!));
        }

        return reveals;
    }

    private static double Entropy(byte[] bytes)
    {
        var counts = new int[256];
        foreach (var b in bytes)
        {
            counts[b]++;
        }

        return -counts.Where(c => c > 0).Sum(c => (double)c / bytes.Length * Math.Log2((double)c / bytes.Length));
    }

    private static JobManifest? TryManifest(byte[] bytes)
    {
        try
        {
            return bytes is [(byte)'{', ..] ? JobManifest.Parse(bytes) : null;
        }
        catch (ManifestException)
        {
            return null;
        }
    }

    private static OutputManifest? TryOutputs(byte[] bytes)
    {
        try
        {
            return bytes is [(byte)'{', ..] ? OutputManifest.Parse(bytes) : null;
        }
        catch (ManifestException)
        {
            return null;
        }
    }
}
