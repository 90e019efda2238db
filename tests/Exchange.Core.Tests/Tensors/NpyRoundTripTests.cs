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
            Assert.Equal(tensor, Npy.ReadShared(file));
            Assert.Equal(tensor, Npy.Read(Npy.Write(tensor, NpyVersion.V2)));
            Assert.Equal(file, Npy.WithEncoded(tensor, bytes => bytes.ToArray()));
        }
    }

    [Fact]
    public void ReadShared_keeps_the_file_s_data_bytes_and_Read_copies_them()
    {
        var file = Npy.Write(Tensor.Create<float>([1f, 2f, 3f], 3));

        var shared = Npy.ReadShared(file);
        var copied = Npy.Read(file);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(shared.Data, out var segment));
        Assert.Same(file, segment.Array);
        Assert.Equal(file.Length - 12, segment.Offset);
        file.AsSpan()[^4..].Clear();
        Assert.Equal([1f, 2f, 0f], shared.AsFloat32().ToArray());
        Assert.Equal([1f, 2f, 3f], copied.AsFloat32().ToArray());
    }

    [Fact]
    public void WithEncoded_passes_on_what_its_reader_returns_and_the_bytes_of_larger_tensors_too()
    {
        var large = Tensor.Create<byte>(Enumerable.Range(0, 150_528).Select(i => (byte)i).ToArray(), 1, 224, 224, 3);

        for (var i = 0; i < 3; i++)
        {
            // Pooled memory comes back to the next call: the bytes it sees are this tensor's every time.
            Assert.Equal(Npy.Write(large), Npy.WithEncoded(large, bytes => bytes.ToArray()));
            Assert.Equal(Npy.Write(large).Length, Npy.WithEncoded(large, bytes => bytes.Length));
        }
    }

    [Fact]
    public void Create_OfAnUnsupportedElementType_Throws() =>
        Assert.Throws<NotSupportedException>(() => Tensor.Create<double>([1.0], 1));

    [Fact]
    public void Values_OfBool_ReadsTheBytes() =>
        Assert.Equal([true, false], Tensor.Create<bool>([true, false], 2).AsBool().ToArray());
}
