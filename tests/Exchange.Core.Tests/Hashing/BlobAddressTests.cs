using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Hashing;

/// <summary>
/// Blob addresses are SHA-256 and their CIDs are IPFS's CIDv1 raw sha2-256: known answers, and Node,
/// with only its built-in crypto, agrees both ways (tests/fixtures/blobs).
/// </summary>
public sealed class BlobAddressTests
{
    /// <summary>Pattern lengths around SHA-256's 64-byte block and its 56-byte padding edge, and one ResNet-18 input tensor.</summary>
    private static readonly int[] PatternLengths = [1, 55, 56, 63, 64, 65, 1000, 602_240];

    private static string VectorFile => Fixtures.PathOf("blobs", "vectors.json");

    [Fact]
    public void Known_answers_are_sha256_and_the_ipfs_cids_of_the_same_bytes()
    {
        // The empty raw block's CID, as `ipfs add --cid-version 1 --raw-leaves` names it.
        Assert.Equal("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", BlobAddress.Of([]).ToString());
        Assert.Equal("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", BlobAddress.Of([]).ToCid());
        Assert.Equal("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", BlobAddress.Of("abc"u8).ToString());
        Assert.NotEqual(Keccak.Hash("abc"u8), BlobAddress.Of("abc"u8));
    }

    [Fact]
    public void A_streamed_blob_has_the_address_of_its_whole_bytes()
    {
        var bytes = Pattern(100_000);
        using var hasher = BlobAddress.NewHasher();
        foreach (var piece in bytes.Chunk(8191))
        {
            hasher.AppendData(piece);
        }

        Assert.Equal(BlobAddress.Of(bytes), BlobAddress.Finish(hasher));
        Assert.Equal(BlobAddress.Of([]), BlobAddress.Finish(hasher));
    }

    [Fact]
    public void Every_address_reads_back_from_its_cid()
    {
        foreach (var length in PatternLengths)
        {
            var address = BlobAddress.Of(Pattern(length));
            Assert.True(BlobAddress.TryParseCid(address.ToCid(), out var read));
            Assert.Equal(address, read);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("Bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("BAFKREIHDWDCEFGH4DQKJV67UZCMW7OJEE6XEDZDETOJUZJEVTENXQUVYKU")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykuu")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykv")]
    [InlineData("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")]
    public void Text_that_is_not_a_raw_sha256_cidv1_is_refused(string? text)
    {
        Assert.False(BlobAddress.TryParseCid(text, out var address));
        Assert.True(address.IsZero);
    }

    [Fact]
    public void The_checked_in_vectors_are_what_the_code_produces()
    {
        var built = Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("EXCHANGE_WRITE_BLOB_VECTORS") is { } target)
        {
            // Regenerate: EXCHANGE_WRITE_BLOB_VECTORS=tests/fixtures/blobs/vectors.json (from the repository root).
            File.WriteAllText(target, built + "\n");
            return;
        }

        Assert.Equal(File.ReadAllText(VectorFile).ReplaceLineEndings("\n").TrimEnd(), built);
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Node_computes_the_checked_in_addresses_and_cids()
    {
        var (code, stdout, stderr) = await NodeAsync("check", VectorFile);
        Assert.True(code == 0, stderr);
        Assert.Equal("ok", stdout.Trim());
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Node_refuses_a_vector_whose_cid_is_wrong()
    {
        var vectors = JsonNode.Parse(await File.ReadAllTextAsync(VectorFile))!.AsArray();
        var cid = (string)vectors[2]!["cid"]!;
        vectors[2]!["cid"] = cid[..^1] + (cid[^1] == 'a' ? 'b' : 'a');
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, vectors.ToJsonString());
            var (code, _, stderr) = await NodeAsync("check", file);
            Assert.NotEqual(0, code);
            Assert.Contains($"{vectors[2]!["name"]} cid", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task CSharp_agrees_with_Node_on_random_bytes()
    {
        var blobs = new[] { 0, 1, 31, 32, 33, 64, 4097 }.Select(RandomNumberGenerator.GetBytes).ToArray();
        var (code, stdout, stderr) = await NodeAsync(["of", .. blobs.Select(b => Hex.Format(b))]);
        Assert.True(code == 0, stderr);
        var answers = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(blobs.Length, answers.Count);
        for (var i = 0; i < blobs.Length; i++)
        {
            Assert.Equal(BlobAddress.Of(blobs[i]).ToString(), (string)answers[i]!["address"]!);
            Assert.Equal(BlobAddress.Of(blobs[i]).ToCid(), (string)answers[i]!["cid"]!);
        }
    }

    /// <summary>The vectors: literal bytes, then pattern bytes named by their length (as address.js reads them).</summary>
    private static JsonArray Build()
    {
        var vectors = new JsonArray();
        foreach (var (name, bytes) in new[] { ("empty", Array.Empty<byte>()), ("abc", "abc"u8.ToArray()), ("zero word", new byte[32]) })
        {
            vectors.Add(Vector(name, bytes, "hex", Hex.Format(bytes)));
        }

        foreach (var length in PatternLengths)
        {
            vectors.Add(Vector($"pattern {length}", Pattern(length), "length", length));
        }

        return vectors;
    }

    private static JsonObject Vector(string name, byte[] bytes, string source, JsonNode value)
    {
        var address = BlobAddress.Of(bytes);
        return new JsonObject { ["name"] = name, [source] = value, ["address"] = address.ToString(), ["cid"] = address.ToCid() };
    }

    /// <summary>Byte i is (7 i + length) mod 256, the pattern address.js builds from a length.</summary>
    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)((7 * i) + length))];

    private static Task<(int Code, string Stdout, string Stderr)> NodeAsync(params string[] arguments) =>
        Fixtures.NodeAsync("blobs", "address.js", arguments);
}
