using System.Security.Cryptography;
using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using NSec.Cryptography;

namespace Exchange.Core.Tests.Privacy;

public sealed class KeyScheduleTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Every_task_direction_and_position_has_its_own_key()
    {
        var keys = new List<string>();
        for (var task = 0; task < 20; task++)
        {
            var taskKey = KeySchedule.TaskKey(Secret, Salt, task);
            keys.Add(Convert.ToHexString(taskKey));
            for (var position = 0; position < 3; position++)
            {
                keys.Add(Convert.ToHexString(KeySchedule.InputKey(taskKey, position)));
                keys.Add(Convert.ToHexString(KeySchedule.OutputKey(taskKey, position)));
            }
        }

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.NotEqual(KeySchedule.TaskKey(Secret, Salt, 0), KeySchedule.TaskKey(Secret, RandomNumberGenerator.GetBytes(32), 0));
    }

    [Fact]
    public void A_task_key_opens_its_task_and_no_other()
    {
        var job = JobCipher.FromSecret(Bytes32.FromBytes(Salt), Secret);
        var sealedInput = job.Task(4).EncryptInput(0, "four"u8);
        Assert.True(job.Task(4).TryDecryptInput(0, sealedInput, out _));
        Assert.False(job.Task(5).TryDecryptInput(0, sealedInput, out _));
        Assert.False(job.Task(4).TryDecryptInput(1, sealedInput, out _));
        Assert.False(job.Task(4).TryDecryptOutput(0, sealedInput, out _));
    }

    [Fact]
    public void A_tensor_is_sealed_as_its_npy_file_under_its_position_s_key()
    {
        var job = JobCipher.FromSecret(Bytes32.FromBytes(Salt), Secret);
        var tensor = Tensor.Create<byte>([1, 2, 3, 4], 2, 2);

        Assert.True(job.Task(4).TryDecryptInput(1, job.Task(4).EncryptInput(1, tensor), out var input));
        Assert.True(job.Task(4).TryDecryptOutput(0, job.Task(4).EncryptOutput(0, tensor), out var output));
        Assert.Equal(Npy.Write(tensor), input);
        Assert.Equal(Npy.Write(tensor), output);
        Assert.False(job.Task(4).TryDecryptOutput(1, job.Task(4).EncryptOutput(0, tensor), out _));
    }

    [Fact]
    public void A_commitment_binds_the_key_the_task_and_the_ciphertext()
    {
        var key = KeySchedule.TaskKey(Secret, Salt, 2);
        var hash = Keccak.Hash("ciphertext"u8);
        var commitment = KeySchedule.Commitment(2, hash, key);
        Assert.Equal(commitment, KeySchedule.Commitment(2, hash, key));
        Assert.NotEqual(commitment, KeySchedule.Commitment(3, hash, key));
        Assert.NotEqual(commitment, KeySchedule.Commitment(2, Keccak.Hash("other"u8), key));
        Assert.NotEqual(commitment, KeySchedule.Commitment(2, hash, KeySchedule.TaskKey(Secret, Salt, 3)));
    }

    [Fact]
    public void A_client_rederives_its_job_secret_from_its_wallet_key_and_the_salt()
    {
        var wallet = RandomNumberGenerator.GetBytes(32);
        var job = JobCipher.NewForClient(wallet);
        var again = JobCipher.ForClient(wallet, job.Salt);
        Assert.Equal(job.Task(0).Key.ToArray(), again.Task(0).Key.ToArray());
        Assert.NotEqual(job.Task(0).Key.ToArray(), JobCipher.ForClient(RandomNumberGenerator.GetBytes(32), job.Salt).Task(0).Key.ToArray());
        Assert.NotEqual(job.Salt, JobCipher.NewForClient(wallet).Salt);
    }

    [Fact]
    public void The_provider_opens_the_job_secret_and_a_revealed_key_is_checked_against_the_commitment()
    {
        using var provider = Key.Create(KeyAgreementAlgorithm.X25519);
        using var verifier = Key.Create(KeyAgreementAlgorithm.X25519);
        var client = JobCipher.NewForClient(RandomNumberGenerator.GetBytes(32));
        var inputHashes = new[] { Keccak.Hash("a"u8), Keccak.Hash("b"u8) };
        var privacy = client.Privacy(Bytes32.FromBytes(provider.PublicKey.Export(KeyBlobFormat.RawPublicKey)), inputHashes);

        var opened = JobCipher.OpenForProvider(privacy, provider);
        Assert.NotNull(opened);
        Assert.Null(JobCipher.OpenForProvider(privacy, verifier));
        Assert.True(opened.Task(1).Matches(privacy, inputHashes[1]));

        var manifest = Keccak.Hash("manifest"u8);
        var verifierPublic = verifier.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var honest = opened.Task(1).SealTo(verifierPublic, manifest);
        Assert.NotNull(TaskCipher.OpenReveal(verifier, privacy, manifest, 1, inputHashes[1], honest));
        // A key that opens nothing committed: the wrong task's key, or a random one.
        var wrongTask = new TaskCipher(1, opened.Task(0).Key).SealTo(verifierPublic, manifest);
        Assert.Null(TaskCipher.OpenReveal(verifier, privacy, manifest, 1, inputHashes[1], wrongTask));
        var random = new TaskCipher(1, RandomNumberGenerator.GetBytes(32)).SealTo(verifierPublic, manifest);
        Assert.Null(TaskCipher.OpenReveal(verifier, privacy, manifest, 1, inputHashes[1], random));
        Assert.Null(TaskCipher.OpenReveal(provider, privacy, manifest, 1, inputHashes[1], honest));
    }

    [Fact]
    public void An_encrypted_manifest_round_trips_and_its_privacy_section_is_checked()
    {
        using var provider = Key.Create(KeyAgreementAlgorithm.X25519);
        var client = JobCipher.NewForClient(RandomNumberGenerator.GetBytes(32));
        var tasks = new[] { new ManifestTask(0, new[] { new BlobRef("input", Keccak.Hash("x"u8)) }), new ManifestTask(1, new[] { new BlobRef("input", Keccak.Hash("y"u8)) }) };
        var privacy = client.Privacy(Bytes32.FromBytes(provider.PublicKey.Export(KeyBlobFormat.RawPublicKey)), tasks.Select(t => t.InputHash).ToArray());
        var manifest = new JobManifest(Keccak.Hash("model"u8), tasks, privacy);
        var parsed = JobManifest.Parse(manifest.ToCanonicalJson());
        Assert.True(parsed.IsEncrypted);
        Assert.Equal(manifest.Hash, parsed.Hash);
        Assert.Equal(privacy.SealedSecret.ToArray(), parsed.Privacy!.SealedSecret.ToArray());
        Assert.Equal(privacy.KeyCommitments.ToArray(), parsed.Privacy.KeyCommitments.ToArray());
        Assert.False(new JobManifest(manifest.ModelId, tasks).IsEncrypted);

        var oneCommitment = privacy with { KeyCommitments = new[] { privacy.KeyCommitments[0] } };
        var error = Assert.Throws<ManifestException>(() => new JobManifest(manifest.ModelId, tasks, oneCommitment).ToCanonicalJson());
        Assert.Equal("privacy.keyCommitments", error.Field);

        var text = System.Text.Encoding.UTF8.GetString(manifest.ToCanonicalJson());
        var unknownScheme = Assert.Throws<ManifestException>(() => JobManifest.Parse(text.Replace(PrivacyLabels.Scheme, "rot13", StringComparison.Ordinal)));
        Assert.Equal("privacy.scheme", unknownScheme.Field);
        var extraField = Assert.Throws<ManifestException>(() => JobManifest.Parse(text.Replace("\"recipient\"", "\"key\":1,\"recipient\"", StringComparison.Ordinal)));
        Assert.StartsWith("privacy", extraField.Field, StringComparison.Ordinal);
    }
}
