using System.Numerics;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Eip712;

public sealed class SignatureTests
{
    private const string Key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string Address0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    private static readonly BigInteger CurveOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    [Fact]
    public void SignThenRecover_ManyDigests_GivesTheSignerWithLowSAndV27Or28()
    {
        for (var i = 0; i < 50; i++)
        {
            var digest = Keccak.Hash(BitConverter.GetBytes(i));

            var signature = Signatures.Sign(digest, Key0);

            Assert.Equal(65, signature.Length);
            Assert.Contains(signature[64], new byte[] { 27, 28 });
            Assert.True(new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true) <= CurveOrder / 2);
            Assert.Equal(Address0, Signatures.Recover(digest, signature));
            Assert.True(Signatures.IsSignedBy(digest, signature, Address0.ToLowerInvariant()));
        }
    }

    [Fact]
    public void Recover_OfAnotherDigest_GivesAnotherAddress()
    {
        var signature = Signatures.Sign(Keccak.Hash("a"u8), Key0);

        Assert.False(Signatures.IsSignedBy(Keccak.Hash("b"u8), signature, Address0));
    }

    [Fact]
    public void Recover_TamperedSignature_DoesNotGiveTheSigner()
    {
        var digest = Keccak.Hash("a"u8);
        var signature = Signatures.Sign(digest, Key0);
        signature[10] ^= 1;

        Assert.False(Signatures.IsSignedBy(digest, signature, Address0));
    }

    [Fact]
    public void Recover_HighS_IsRejectedAsMalleable()
    {
        var digest = Keccak.Hash("a"u8);
        var signature = Signatures.Sign(digest, Key0);
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        (CurveOrder - s).TryWriteBytes(signature.AsSpan(32, 32), out _, isUnsigned: true, isBigEndian: true);
        signature[64] = (byte)(signature[64] == 27 ? 28 : 27);

        var e = Assert.Throws<FormatException>(() => Signatures.Recover(digest, signature));

        Assert.Contains("upper half", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, 27, "65 bytes")]
    [InlineData(66, 27, "65 bytes")]
    [InlineData(65, 0, "v is 0")]
    [InlineData(65, 1, "v is 1")]
    [InlineData(65, 29, "v is 29")]
    public void Recover_MalformedSignature_IsRejectedNamingWhy(int length, byte v, string problem)
    {
        var digest = Keccak.Hash("a"u8);
        var signature = Signatures.Sign(digest, Key0);
        var bad = new byte[length];
        signature.AsSpan(0, Math.Min(length, 65)).CopyTo(bad);
        if (length >= 65)
        {
            bad[64] = v;
        }

        Assert.Contains(problem, Assert.Throws<FormatException>(() => Signatures.Recover(digest, bad)).Message, StringComparison.Ordinal);
        Assert.False(Signatures.TryRecover(digest, bad, out var signer));
        Assert.Null(signer);
    }

    [Fact]
    public void Recover_ZeroRAndS_IsRejected()
    {
        var bad = new byte[65];
        bad[64] = 27;

        Assert.Contains("out of range", Assert.Throws<FormatException>(() => Signatures.Recover(Keccak.Hash("a"u8), bad)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x00", "64 digits")]
    [InlineData("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "must start with 0x")]
    public void Sign_MalformedKeyText_IsRejected(string key, string problem) =>
        Assert.Contains(problem, Assert.Throws<FormatException>(() => Signatures.Sign(Keccak.Hash("a"u8), key)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [InlineData("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void Sign_KeyOutsideTheCurveOrder_IsRejected(string key) =>
        Assert.Throws<ArgumentException>(() => Signatures.Sign(Keccak.Hash("a"u8), key));

    [Fact]
    public void Sign_KeyOfWrongLength_IsRejected() =>
        Assert.Throws<ArgumentException>(() => Signatures.Sign(Keccak.Hash("a"u8), new byte[31]));

    [Fact]
    public void StructHash_BadFields_AreRejected()
    {
        var offer = new Offer("0x1234", Bytes32.Zero, 1, 1, 300, 1, Bytes32.Zero, 1);

        Assert.Contains("not an address", Assert.Throws<FormatException>(() => offer.StructHash).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => (offer with { Provider = Address0, UnitPrice = -1 }).StructHash);
        Assert.Throws<ArgumentOutOfRangeException>(() => (offer with { Provider = Address0, UnitPrice = BigInteger.One << 256 }).StructHash);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Result(-1, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero).StructHash);
    }

    [Fact]
    public void TypeHashes_AreKeccakOfTheProtocolTypeStrings()
    {
        Assert.Equal(Keccak.Hash("Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint32 minTurnaround,uint64 expiry,bytes32 region,uint64 nonce)"u8), Offer.TypeHash);
        Assert.Equal(Keccak.Hash("Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)"u8), Result.TypeHash);
    }
}
