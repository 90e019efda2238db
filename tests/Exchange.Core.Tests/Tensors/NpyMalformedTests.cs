using System.Text;
using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Tensors;

/// <summary>Every way a .npy file can be broken is rejected with an <see cref="NpyFormatException"/> naming the problem.</summary>
public sealed class NpyMalformedTests
{
    private static readonly byte[] Good = Fixtures.Bytes("npy", "float32_2x3.npy");

    // Replaces header text with text of the same length, so the header length field stays right.
    private static byte[] PatchHeader(string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        var text = Encoding.Latin1.GetString(Good);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    private static void AssertRejected(byte[] file, string problem)
    {
        using var stream = new MemoryStream(file);
        Assert.Contains(problem, Assert.Throws<NpyFormatException>(() => Npy.Read(file)).Message, StringComparison.Ordinal);
        Assert.Contains(problem, Assert.Throws<NpyFormatException>(() => Npy.Read(stream)).Message, StringComparison.Ordinal);
        Assert.Contains(problem, Assert.Throws<NpyFormatException>(() => Npy.ReadShared(file)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadMagic_IsRejected()
    {
        var file = (byte[])Good.Clone();
        file[1] = (byte)'X';

        AssertRejected(file, "bad magic");
    }

    [Fact]
    public void EmptyFile_IsRejectedAsTruncated() => AssertRejected([], "truncated header");

    [Fact]
    public void TextFile_IsRejectedAsBadMagic() => AssertRejected("a,b\n"u8.ToArray(), "bad magic");

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(40)]
    [InlineData(127)]
    public void TruncatedHeader_IsRejected(int length) => AssertRejected(Good[..length], "truncated header");

    [Fact]
    public void TruncatedData_IsRejected() => AssertRejected(Good[..^1], "truncated data");

    [Fact]
    public void TrailingBytes_AreRejected() => AssertRejected([.. Good, 0], "trailing bytes");

    [Fact]
    public void ShapeNeedingMoreDataThanTheFileHas_IsRejected() =>
        AssertRejected(PatchHeader("(2, 3)", "(3, 3)"), "needs 36 bytes, file has 24");

    [Fact]
    public void ShapeNeedingLessDataThanTheFileHas_IsRejected() =>
        AssertRejected(PatchHeader("(2, 3)", "(2, 2)"), "8 trailing bytes");

    [Fact]
    public void NegativeDimension_IsRejected() =>
        AssertRejected(PatchHeader("(2, 3)", "(-2, 3"), "non-negative integer");

    [Fact]
    public void HugeShape_IsRejected() =>
        AssertRejected(PatchHeader("(2, 3), }" + new string(' ', 16), "(3037000500, 3037000500)}"), "too large");

    [Fact]
    public void UnknownHeaderKey_IsRejected() =>
        AssertRejected(PatchHeader("'fortran_order'", "'fortran_ordex'"), "unexpected key 'fortran_ordex'");

    [Fact]
    public void DuplicateHeaderKey_IsRejected() =>
        AssertRejected(PatchHeader("'fortran_order': False", "'descr': '<f4'        "), "key 'descr' appears twice");

    [Fact]
    public void MissingHeaderKey_IsRejected() =>
        AssertRejected(PatchHeader("'fortran_order': False, ", "                        "), "missing key 'fortran_order'");

    [Fact]
    public void StructuredDType_IsRejected() =>
        AssertRejected(PatchHeader("'<f4'", "[1,2]"), "structured");

    [Fact]
    public void FortranOrderNotABool_IsRejected() =>
        AssertRejected(PatchHeader("False", "0    "), "True or False");

    [Fact]
    public void NonAsciiHeader_IsRejected() =>
        AssertRejected(PatchHeader("'<f4'", "'<f\u00e9'"), "not ASCII");

    [Fact]
    public void HeaderLengthBeyondTheLimit_IsRejected()
    {
        var file = (byte[])Good.Clone();
        file[8] = 0xff;
        file[9] = 0xff;

        AssertRejected(file, "larger than the 10000 bytes accepted");
    }

    [Fact]
    public void BoolByteOtherThanZeroOrOne_IsRejected()
    {
        var file = Fixtures.Bytes("npy", "bool_5.npy");
        file[^1] = 2;

        AssertRejected(file, "bool element 4 is 2");
    }

    [Fact]
    public void StreamClaimingHugeData_IsRejectedWithoutReadingForever()
    {
        var file = PatchHeader("(2, 3), }" + new string(' ', 16), "(500000000,), }" + new string(' ', 10));
        using var stream = new MemoryStream(file);

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(stream));

        Assert.Contains("needs 2000000000 bytes, file has 24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamWithEndlessTrailingBytes_IsRejected()
    {
        using var stream = new MemoryStream([.. Good, .. new byte[200_000]]);

        Assert.Contains("more than 65536 trailing bytes", Assert.Throws<NpyFormatException>(() => Npy.Read(stream)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortStream_ReadsAcrossPartialReads()
    {
        using var stream = new OneByteStream(Good);

        Assert.Equal(Npy.Read(Good), Npy.Read(stream));
    }

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    }
}
