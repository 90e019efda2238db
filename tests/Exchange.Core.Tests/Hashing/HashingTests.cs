using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Hashing;

public sealed class HashingTests
{
    [Fact]
    public void Keccak_KnownAnswers()
    {
        Assert.Equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Keccak.Hash([]).ToString());
        Assert.Equal("0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", Keccak.Hash("abc"u8).ToString());
    }

    [Fact]
    public void KeccakOfPair_IsKeccakOfTheConcatenation()
    {
        var a = Keccak.Hash("a"u8);
        var b = Keccak.Hash("b"u8);

        Assert.Equal(Keccak.Hash([.. a.ToArray(), .. b.ToArray()]), Keccak.Hash(a, b));
    }

    [Fact]
    public void Bytes32_RoundTripsThroughText()
    {
        var text = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

        var value = Bytes32.Parse(text.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal));

        Assert.Equal(text, value.ToString());
        Assert.Equal(Convert.FromHexString(text[2..]), value.ToArray());
        Assert.Equal(value, Bytes32.FromBytes(value.ToArray()));
        Assert.True(Bytes32.Zero.IsZero);
        Assert.False(value.IsZero);
    }

    [Fact]
    public void Bytes32_OrdersAsUnsignedBigEndian()
    {
        var small = Bytes32.Parse("0x00000000000000000000000000000000000000000000000000000000000000ff");
        var large = Bytes32.Parse("0x0100000000000000000000000000000000000000000000000000000000000000");
        var top = Bytes32.Parse("0xff00000000000000000000000000000000000000000000000000000000000000");

        Assert.True(small.CompareTo(large) < 0);
        Assert.True(large.CompareTo(top) < 0);
        Assert.True(top.CompareTo(small) > 0);
        Assert.Equal(0, top.CompareTo(top));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "must start with 0x")]
    [InlineData("1234", "must start with 0x")]
    [InlineData("0x12", "must have 64 digits (32 bytes) after 0x, found 2")]
    [InlineData("0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00", "found 66")]
    [InlineData("0xg0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "non-hex character 'g' at position 2")]
    [InlineData(" 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeef", "must start with 0x")]
    public void Bytes32_BadText_IsRejectedNamingWhy(string? text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => Bytes32.Parse(text));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.False(Bytes32.TryParse(text, out _));
    }

    [Fact]
    public void Bytes32_FromWrongLength_Throws() => Assert.Throws<ArgumentException>(() => Bytes32.FromBytes(new byte[31]));

    [Theory]
    [InlineData("0x", "")]
    [InlineData("0x00ff", "00FF")]
    [InlineData("0xABcd", "ABCD")]
    public void Hex_Parse_AcceptsAnyEvenLength(string text, string expected) =>
        Assert.Equal(expected, Convert.ToHexString(Hex.Parse(text)));

    [Fact]
    public void Hex_Parse_OddDigits_IsRejected() =>
        Assert.Contains("odd number of digits (3)", Assert.Throws<FormatException>(() => Hex.Parse("0xabc")).Message, StringComparison.Ordinal);

    [Fact]
    public void Hex_LongBadInput_IsQuotedShortened()
    {
        var text = "0x" + new string('q', 500);

        Assert.True(Assert.Throws<FormatException>(() => Hex.Parse(text)).Message.Length < 200);
    }

    [Fact]
    public void Hex_Format_IsLowercaseWithPrefix() => Assert.Equal("0x00abff", Hex.Format([0x00, 0xab, 0xff]));
}
