using System.Numerics;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Abi;

public sealed class AbiWordsTests
{
    [Fact]
    public void Encodes_StaticTypesAsBigEndianWords()
    {
        var bytes = new AbiWords()
            .UInt256(1)
            .UInt256((BigInteger.One << 256) - 1)
            .Address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
            .Word(Bytes32.Parse("0x" + new string('a', 64)))
            .UInt256(0)
            .ToArray();

        Assert.Equal(
            "0000000000000000000000000000000000000000000000000000000000000001"
            + new string('f', 64)
            + "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
            + new string('a', 64)
            + new string('0', 64),
            Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void UInt256_OutOfRange_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AbiWords().UInt256(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AbiWords().UInt256(BigInteger.One << 256));
    }

    [Theory]
    [InlineData("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226")]
    [InlineData("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb922660")]
    [InlineData("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    [InlineData("0xg39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    [InlineData("")]
    public void Address_Malformed_IsRejected(string address) =>
        Assert.StartsWith("not an address", Assert.Throws<FormatException>(() => new AbiWords().Address(address)).Message, StringComparison.Ordinal);
}
