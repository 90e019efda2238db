using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Exchange.Core.Hashing;
using Exchange.Core.Privacy;
using NSec.Cryptography;

namespace Exchange.Core.Tests.Privacy;

/// <summary>
/// The checked-in cross-language vector (tests/fixtures/privacy/vector.json), built from fixed
/// seeds by our code, and the reader of a vector Node made.
/// </summary>
internal static class PrivacyVector
{
    public static byte[] Seed(string name) => SHA256.HashData(Encoding.UTF8.GetBytes("exchange privacy vector " + name));

    public static Key X25519(byte[] raw) =>
        Key.Import(KeyAgreementAlgorithm.X25519, raw, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static byte[] PublicOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>The vector: two tasks, the first with two inputs, each with one output, and each task's key revealed to a verifier.</summary>
    public static JsonObject Build()
    {
        var secret = Seed("job secret");
        var salt = Bytes32.FromBytes(Seed("salt"));
        var manifestHash = Keccak.Hash("vector manifest"u8);
        using var provider = X25519(Seed("provider"));
        using var verifier = X25519(Seed("verifier"));
        using var sealEphemeral = X25519(Seed("seal ephemeral"));
        var job = JobCipher.FromSecret(salt, secret);
        var tasks = new JsonArray();
        foreach (var (index, inputCount) in new[] { (0, 2), (1, 1) })
        {
            var task = job.Task(index);
            var inputs = Slots(index, "input", inputCount, (j, nonce, plaintext) => PayloadCipher.Encrypt(KeySchedule.InputKey(task.Key, j), nonce, plaintext));
            var outputs = Slots(index, "output", 1, (j, nonce, plaintext) => PayloadCipher.Encrypt(KeySchedule.OutputKey(task.Key, j), nonce, plaintext));
            var inputHash = BlobAddress.Of(Hex.Parse((string)inputs[0]!["sealed"]!));
            using var revealEphemeral = X25519(Seed($"reveal ephemeral {index}"));
            tasks.Add(new JsonObject
            {
                ["index"] = index,
                ["taskKey"] = Hex.Format(task.Key),
                ["inputHash"] = inputHash.ToString(),
                ["commitment"] = task.Commitment(inputHash).ToString(),
                ["inputs"] = inputs,
                ["outputs"] = outputs,
                ["reveal"] = new JsonObject
                {
                    ["ephemeralKey"] = Hex.Format(Seed($"reveal ephemeral {index}")),
                    ["box"] = Hex.Format(SealedBox.Seal(PublicOf(verifier), JobPrivacy.TaskKeyContext(manifestHash, index), task.Key, revealEphemeral)),
                },
            });
        }

        return new JsonObject
        {
            ["scheme"] = PrivacyLabels.Scheme,
            ["jobSecret"] = Hex.Format(secret),
            ["salt"] = salt.ToString(),
            ["manifestHash"] = manifestHash.ToString(),
            ["provider"] = new JsonObject { ["privateKey"] = Hex.Format(Seed("provider")), ["publicKey"] = Hex.Format(PublicOf(provider)) },
            ["verifier"] = new JsonObject { ["privateKey"] = Hex.Format(Seed("verifier")), ["publicKey"] = Hex.Format(PublicOf(verifier)) },
            ["sealEphemeralKey"] = Hex.Format(Seed("seal ephemeral")),
            ["sealedSecret"] = Hex.Format(SealedBox.Seal(PublicOf(provider), [.. PrivacyLabels.JobSecretContext, .. salt.ToArray()], secret, sealEphemeral)),
            ["tasks"] = tasks,
        };
    }

    private static JsonArray Slots(int task, string direction, int count, Func<int, byte[], byte[], byte[]> encrypt)
    {
        var slots = new JsonArray();
        for (var j = 0; j < count; j++)
        {
            // Plaintexts of a few odd lengths, and the start of an .npy header as real inputs have.
            var plaintext = Encoding.ASCII.GetBytes($"\u0093NUMPY task {task} {direction} {j} ").Concat(Seed($"{direction} {task} {j}")).ToArray();
            var nonce = Seed($"nonce {direction} {task} {j}")[..PayloadCipher.NonceLength];
            slots.Add(new JsonObject { ["plaintext"] = Hex.Format(plaintext), ["sealed"] = Hex.Format(encrypt(j, nonce, plaintext)) });
        }

        return slots;
    }
}
