using System.Numerics;
using Exchange.Node.Chain;

namespace Exchange.Node.Tests.Chain;

public sealed class TokenUnitsTests
{
    [Theory]
    [InlineData("1", "1000000000000000000")]
    [InlineData("0.001", "1000000000000000")]
    [InlineData("12.5", "12500000000000000000")]
    [InlineData("0.000000000000000001", "1")]
    public void Parse_reads_decimal_tokens_exactly(string text, string units) =>
        Assert.Equal(BigInteger.Parse(units), TokenUnits.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.2.3")]
    [InlineData("1e5")]
    [InlineData("0.0000000000000000001")]
    public void Parse_refuses_what_is_not_an_amount(string text) =>
        Assert.Throws<FormatException>(() => TokenUnits.Parse(text));

    [Fact]
    public void Format_round_trips_and_drops_trailing_zeros()
    {
        Assert.Equal("12.5", TokenUnits.Format(TokenUnits.Parse("12.5")));
        Assert.Equal("-0.25", TokenUnits.Format(-TokenUnits.Parse("0.25")));
        Assert.Equal("3", TokenUnits.Format(TokenUnits.Parse("3.000")));
    }
}
