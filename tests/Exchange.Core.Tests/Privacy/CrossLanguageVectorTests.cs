using System.Text.Json.Nodes;
using Exchange.Core.Hashing;
using Exchange.Core.Privacy;

namespace Exchange.Core.Tests.Privacy;

/// <summary>
/// The payload format is not tied to our code: Node, with only its built-in crypto, opens what C#
/// sealed (the checked-in vector), and C# opens what Node sealed.
/// </summary>
public sealed class CrossLanguageVectorTests
{
    private static string VectorFile => Fixtures.PathOf("privacy", "vector.json");

    [Fact]
    public void The_checked_in_vector_is_what_the_code_produces()
    {
        var built = PrivacyVector.Build().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var stored = File.ReadAllText(VectorFile).ReplaceLineEndings("\n").TrimEnd();
        if (Environment.GetEnvironmentVariable("EXCHANGE_WRITE_PRIVACY_VECTOR") is { } target)
        {
            // Regenerate: EXCHANGE_WRITE_PRIVACY_VECTOR=tests/fixtures/privacy/vector.json (from the repository root).
            File.WriteAllText(target, built.ReplaceLineEndings("\n") + "\n");
            return;
        }

        Assert.Equal(stored, built.ReplaceLineEndings("\n"));
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Node_opens_the_checked_in_vector_and_checks_its_commitments()
    {
        var (code, stdout, stderr) = await NodeAsync("check", VectorFile);
        Assert.True(code == 0, stderr);
        Assert.Equal("ok", stdout.Trim());
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Node_fails_a_vector_whose_commitment_is_wrong()
    {
        var vector = JsonNode.Parse(await File.ReadAllTextAsync(VectorFile))!;
        var commitment = Hex.Parse((string)vector["tasks"]![1]!["commitment"]!);
        commitment[5] ^= 1;
        vector["tasks"]![1]!["commitment"] = Hex.Format(commitment);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, vector.ToJsonString());
            var (code, _, stderr) = await NodeAsync("check", file);
            Assert.NotEqual(0, code);
            Assert.Contains("task 1 commitment", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task CSharp_opens_a_vector_Node_made()
    {
        var (code, stdout, stderr) = await NodeAsync("make");
        Assert.True(code == 0, stderr);
        var vector = JsonNode.Parse(stdout)!;
        var salt = Bytes32.Parse((string)vector["salt"]!);
        var manifestHash = Bytes32.Parse((string)vector["manifestHash"]!);
        using var provider = PrivacyVector.X25519(Hex.Parse((string)vector["provider"]!["privateKey"]!));
        using var verifier = PrivacyVector.X25519(Hex.Parse((string)vector["verifier"]!["privateKey"]!));
        Assert.Equal(Hex.Parse((string)vector["provider"]!["publicKey"]!), PrivacyVector.PublicOf(provider));

        var tasks = vector["tasks"]!.AsArray();
        var privacy = new JobPrivacy(
            salt, Bytes32.FromBytes(PrivacyVector.PublicOf(provider)), Hex.Parse((string)vector["sealedSecret"]!),
            tasks.Select(t => Bytes32.Parse((string)t!["commitment"]!)).ToArray());
        var job = JobCipher.OpenForProvider(privacy, provider);
        Assert.NotNull(job);
        foreach (var task in tasks)
        {
            var index = (int)task!["index"]!;
            var inputHash = Bytes32.Parse((string)task["inputHash"]!);
            var cipher = job.Task(index);
            Assert.Equal(Hex.Parse((string)task["taskKey"]!), cipher.Key.ToArray());
            Assert.True(cipher.Matches(privacy, inputHash));
            var inputs = task["inputs"]!.AsArray();
            for (var j = 0; j < inputs.Count; j++)
            {
                Assert.True(cipher.TryDecryptInput(j, Hex.Parse((string)inputs[j]!["sealed"]!), out var plaintext));
                Assert.Equal(Hex.Parse((string)inputs[j]!["plaintext"]!), plaintext);
            }

            var outputs = task["outputs"]!.AsArray();
            for (var j = 0; j < outputs.Count; j++)
            {
                Assert.True(cipher.TryDecryptOutput(j, Hex.Parse((string)outputs[j]!["sealed"]!), out var plaintext));
                Assert.Equal(Hex.Parse((string)outputs[j]!["plaintext"]!), plaintext);
            }

            var revealed = TaskCipher.OpenReveal(verifier, privacy, manifestHash, index, inputHash, Hex.Parse((string)task["reveal"]!["box"]!));
            Assert.NotNull(revealed);
            Assert.Equal(cipher.Key.ToArray(), revealed.Key.ToArray());
        }
    }

    private static Task<(int Code, string Stdout, string Stderr)> NodeAsync(params string[] arguments) =>
        Fixtures.NodeAsync("privacy", "vector.js", arguments);
}
