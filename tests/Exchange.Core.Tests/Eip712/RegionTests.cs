using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Eip712;

public sealed class RegionTests
{
    [Fact]
    public void EncodeAndDecode_EqualEthersZeroPadBytes()
    {
        foreach (var vector in EthersVectors.Items("regions"))
        {
            var name = vector.Text("name");

            Assert.Equal(vector.Text("bytes32"), Region.Encode(name).ToString());
            Assert.Equal(name, Region.Decode(Bytes32.Parse(vector.Text("bytes32"))));
        }
    }

    [Fact]
    public void Encode_ProtocolExample() =>
        Assert.StartsWith("0x65752d776573740000", Region.Encode("eu-west").ToString(), StringComparison.Ordinal);

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "33 UTF-8 bytes")]
    [InlineData("ééééééééééééééééé", "34 UTF-8 bytes")]
    [InlineData("eu\0west", "NUL")]
    public void Encode_BadName_IsRejectedNamingWhy(string name, string problem) =>
        Assert.Contains(problem, Assert.Throws<ArgumentException>(() => Region.Encode(name)).Message, StringComparison.Ordinal);

    [Fact]
    public void Encode_LoneSurrogate_IsRejected() =>
        Assert.Contains("valid Unicode", Assert.Throws<ArgumentException>(() => Region.Encode(new string('\ud800', 1))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("0x6100620000000000000000000000000000000000000000000000000000000000", "after its zero padding")]
    [InlineData("0xff00000000000000000000000000000000000000000000000000000000000000", "not UTF-8")]
    public void Decode_BadBytes_IsRejected(string hex, string problem) =>
        Assert.Contains(problem, Assert.Throws<FormatException>(() => Region.Decode(Bytes32.Parse(hex))).Message, StringComparison.Ordinal);
}
