using System.Globalization;
using System.Text;
using System.Text.Json;
using Exchange.Core.Json;

namespace Exchange.Core.Tests.Json;

/// <summary>Canonical JSON equals what ECMAScript produces (vectors.json, made by make-vectors.js with node).</summary>
public sealed class CanonicalJsonTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Json", "vectors.json"))).RootElement;

    [Fact]
    public void FormatNumber_EqualsJsonStringify_ForEveryVector()
    {
        var numbers = Vectors.GetProperty("numbers").EnumerateArray().ToList();
        Assert.True(numbers.Count > 400);
        foreach (var vector in numbers)
        {
            var bits = ulong.Parse(vector.GetProperty("bits").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var value = BitConverter.UInt64BitsToDouble(bits);

            Assert.Equal(vector.GetProperty("text").GetString(), CanonicalJson.FormatNumber(value));
        }
    }

    [Fact]
    public void Canonicalize_EqualsSortedJsonStringify_ForEveryVector()
    {
        foreach (var vector in Vectors.GetProperty("objects").EnumerateArray())
        {
            var input = Encoding.UTF8.GetBytes(vector.GetProperty("input").GetString()!);

            Assert.Equal(vector.GetProperty("canonical").GetString(), Encoding.UTF8.GetString(CanonicalJson.Canonicalize(input)));
        }
    }

    [Fact]
    public void Canonicalize_IsIdempotent()
    {
        var once = CanonicalJson.Canonicalize("""{"b":[1.50,{"y":1,"x":2}],"a":"\u00e9"}"""u8);

        Assert.Equal(once, CanonicalJson.Canonicalize(once));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "duplicate key \"a\"")]
    [InlineData("""{"a":{"b":1,"b":1}}""", "$.a: duplicate key")]
    [InlineData("""{"a":9007199254740992}""", "beyond ±(2^53 − 1)")]
    [InlineData("""[-9007199254740992]""", "beyond ±(2^53 − 1)")]
    [InlineData("""{"a":1e400}""", "out of range")]
    [InlineData("""{"a":1,}""", "not valid JSON")]
    [InlineData("""{"a":1} // c""", "not valid JSON")]
    [InlineData("""{"a":"\ud800"}""", "lone UTF-16 surrogate")]
    [InlineData("", "not valid JSON")]
    public void Canonicalize_BadInput_IsRejectedNamingWhy(string json, string problem)
    {
        var e = Assert.ThrowsAny<FormatException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonicalize_TooDeep_IsRejected()
    {
        var json = new string('[', 40) + new string(']', 40);

        Assert.Throws<FormatException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Canonicalize_InvalidUtf8_IsRejected() =>
        Assert.Throws<FormatException>(() => CanonicalJson.Canonicalize([(byte)'"', 0xff, (byte)'"']));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void FormatNumber_NonFinite_Throws(double value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalJson.FormatNumber(value));
}
