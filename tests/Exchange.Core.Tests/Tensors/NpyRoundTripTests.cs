using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Tensors;

public sealed class NpyRoundTripTests
{
    [Theory]
    [InlineData(TensorDType.Float32)]
    [InlineData(TensorDType.Float16)]
    [InlineData(TensorDType.Int64)]
    [InlineData(TensorDType.Int32)]
    [InlineData(TensorDType.UInt8)]
    [InlineData(TensorDType.Bool)]
    public void WriteThenRead_GivesTheSameTensor_ForRandomShapes(TensorDType dtype)
    {
        var random = new Random(1234 + (int)dtype);
        for (var trial = 0; trial < 20; trial++)
        {
            var shape = Enumerable.Range(0, random.Next(0, 5)).Select(_ => (long)random.Next(0, 6)).ToArray();
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var data = new byte[count * dtype.Size()];
            random.NextBytes(data);
            if (dtype == TensorDType.Bool)
            {
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] &= 1;
                }
            }

            var tensor = new Tensor(dtype, shape, data);

            var file = Npy.Write(tensor);

            Assert.Equal(0, (file.Length - data.Length) % 64);
            Assert.Equal(tensor, Npy.Read(file));
            Assert.Equal(tensor, Npy.Read(Npy.Write(tensor, NpyVersion.V2)));
        }
    }

    [Fact]
    public void Create_OfAnUnsupportedElementType_Throws() =>
        Assert.Throws<NotSupportedException>(() => Tensor.Create<double>([1.0], 1));

    [Fact]
    public void Values_OfBool_ReadsTheBytes() =>
        Assert.Equal([true, false], Tensor.Create<bool>([true, false], 2).AsBool().ToArray());
}
