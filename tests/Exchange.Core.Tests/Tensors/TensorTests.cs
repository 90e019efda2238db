using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void Constructor_DataLengthDisagreeingWithShape_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(TensorDType.Float32, [2, 3], new byte[20]));

        Assert.Contains("needs 24 bytes, data has 20", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NegativeDimension_Throws() =>
        Assert.Throws<ArgumentException>(() => Tensor.Create<float>([1f], -1));

    [Fact]
    public void Create_TooManyDimensions_Throws() =>
        Assert.Throws<ArgumentException>(() => Tensor.Create<float>([1f], Enumerable.Repeat(1L, 65).ToArray()));

    [Fact]
    public void Values_OfTheWrongType_Throws()
    {
        var tensor = Tensor.Create<int>([1, 2], 2);

        var e = Assert.Throws<InvalidOperationException>(() => tensor.AsFloat32().ToArray());

        Assert.Contains("tensor is int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CopiesItsInput()
    {
        var bytes = new byte[] { 1, 2 };
        var tensor = new Tensor(TensorDType.UInt8, [2], bytes);

        bytes[0] = 9;

        Assert.Equal(1, tensor.AsUInt8()[0]);
    }

    [Fact]
    public void Equality_ComparesTypeShapeAndBytes()
    {
        var a = Tensor.Create<float>([1f, 2f], 1, 2);

        Assert.Equal(a, Tensor.Create<float>([1f, 2f], 1, 2));
        Assert.Equal(a.GetHashCode(), Tensor.Create<float>([1f, 2f], 1, 2).GetHashCode());
        Assert.NotEqual(a, Tensor.Create<float>([1f, 2f], 2, 1));
        Assert.NotEqual(a, Tensor.Create<float>([1f, 3f], 1, 2));
        Assert.NotEqual(a, Tensor.Create<int>([1, 2], 1, 2));
        Assert.Equal("float32[1, 2]", a.ToString());
    }

    [Theory]
    [InlineData("float32", TensorDType.Float32)]
    [InlineData("float16", TensorDType.Float16)]
    [InlineData("int64", TensorDType.Int64)]
    [InlineData("int32", TensorDType.Int32)]
    [InlineData("uint8", TensorDType.UInt8)]
    [InlineData("bool", TensorDType.Bool)]
    public void DTypeNames_RoundTrip(string name, TensorDType dtype)
    {
        Assert.Equal(dtype, TensorDTypes.Parse(name));
        Assert.Equal(name, dtype.Name());
    }

    [Theory]
    [InlineData("float64")]
    [InlineData("Float32")]
    [InlineData("")]
    [InlineData(null)]
    public void DTypeParse_UnknownName_ThrowsListingTheKnownOnes(string? name)
    {
        var e = Assert.Throws<FormatException>(() => TensorDTypes.Parse(name));

        Assert.Contains("float32, float16, int64, int32, uint8, bool", e.Message, StringComparison.Ordinal);
    }
}
