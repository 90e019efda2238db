using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Tensors;

/// <summary>Files written by NumPy (tests/fixtures/npy/make.py) read to the values make.py states and are written back byte for byte.</summary>
public sealed class NpyFixtureTests
{
    // NumPy's NaN has the sign bit clear; .NET's float.NaN has it set.
    private static readonly float NumPyNaN = BitConverter.Int32BitsToSingle(0x7FC00000);

    private static byte[] Fixture(string name) => Fixtures.Bytes("npy", name);

    private static Tensor Expected(string name) => name switch
    {
        "float32_2x3.npy" or "float32_2x3_v2.npy" => Tensor.Create<float>(Enumerable.Range(0, 6).Select(i => (i / 4f) - 0.5f).ToArray(), 2, 3),
        "float32_special.npy" => Tensor.Create<float>([0f, -0f, float.PositiveInfinity, float.NegativeInfinity, NumPyNaN, 1e-45f, 3.4028235e38f], 7),
        "float32_1x512.npy" => Tensor.Create<float>(Enumerable.Range(0, 512).Select(i => i / 512f).ToArray(), 1, 512),
        "float32_1000.npy" => Tensor.Create<float>(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray(), 1000),
        "float32_scalar.npy" => Tensor.Create<float>([2.5f]),
        "float32_0x3.npy" => Tensor.Create<float>([], 0, 3),
        "float16_4.npy" => Tensor.Create<Half>([(Half)1.0, (Half)(-2.5), (Half)65504.0, (Half)0.0009765625], 4),
        "int64_2x2.npy" => Tensor.Create<long>([-1, 1L << 40, -(1L << 62), 7], 2, 2),
        "int32_3.npy" => Tensor.Create<int>([int.MinValue, 0, int.MaxValue], 3),
        "uint8_2x2x2.npy" => Tensor.Create<byte>(Enumerable.Range(0, 8).Select(i => (byte)(i * 30)).ToArray(), 2, 2, 2),
        "bool_5.npy" => Tensor.Create<bool>([true, false, false, true, true], 5),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Good =>
    [
        "float32_2x3.npy", "float32_special.npy", "float32_1x512.npy", "float32_1000.npy", "float32_scalar.npy",
        "float32_0x3.npy", "float16_4.npy", "int64_2x2.npy", "int32_3.npy", "uint8_2x2x2.npy", "bool_5.npy",
        "float32_2x3_v2.npy",
    ];

    [Theory]
    [MemberData(nameof(Good))]
    public void Read_NumPyFile_GivesTheValuesMakePyWrote(string name)
    {
        var tensor = Npy.Read(Fixture(name));

        Assert.Equal(Expected(name), tensor);
    }

    [Theory]
    [MemberData(nameof(Good))]
    public void Read_FromStream_EqualsReadFromBytes(string name)
    {
        using var stream = new MemoryStream(Fixture(name));

        Assert.Equal(Npy.Read(Fixture(name)), Npy.Read(stream));
    }

    [Theory]
    [MemberData(nameof(Good))]
    public void Write_GivesNumPysExactBytes(string name)
    {
        var version = name.EndsWith("_v2.npy", StringComparison.Ordinal) ? NpyVersion.V2 : NpyVersion.V1;
        var written = version == NpyVersion.V1 ? Npy.Write(Expected(name)) : Npy.Write(Expected(name), version);

        Assert.Equal(Convert.ToHexString(Fixture(name)), Convert.ToHexString(written));
    }

    [Fact]
    public void Write_ToStream_WritesTheSameBytes()
    {
        using var stream = new MemoryStream();

        Npy.Write(Expected("int32_3.npy"), stream);

        Assert.Equal(Fixture("int32_3.npy"), stream.ToArray());
    }

    [Fact]
    public void Read_Float32_TypedViewHasTheValues()
    {
        var tensor = Npy.Read(Fixture("float32_1x512.npy"));

        Assert.Equal(TensorDType.Float32, tensor.DType);
        Assert.Equal([1L, 512L], tensor.Shape.ToArray());
        Assert.Equal(512, tensor.ElementCount);
        Assert.Equal(511f / 512f, tensor.AsFloat32()[511]);
    }

    [Theory]
    [InlineData("bad_fortran.npy", "Fortran order")]
    [InlineData("bad_bigendian.npy", "big-endian dtype '>f4'")]
    [InlineData("bad_object.npy", "object dtype '|O'")]
    [InlineData("bad_float64.npy", "unsupported dtype '<f8'")]
    [InlineData("bad_version3.npy", "unsupported format version 3.0")]
    public void Read_NumPyFileOfAnUnsupportedKind_IsRejectedNamingWhy(string name, string problem)
    {
        var bytes = Fixture(name);
        using var stream = new MemoryStream(bytes);

        Assert.Contains(problem, Assert.Throws<NpyFormatException>(() => Npy.Read(bytes)).Message, StringComparison.Ordinal);
        Assert.Contains(problem, Assert.Throws<NpyFormatException>(() => Npy.Read(stream)).Message, StringComparison.Ordinal);
    }
}
