using System.Text;
using Exchange.Core.Tensors;
using Xunit.Abstractions;

namespace Exchange.Fuzz.Tests;

public sealed class NpyFuzzTests(ITestOutputHelper output)
{
    private static readonly byte[][] Seeds = [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "npy"), "*.npy").Order().Select(File.ReadAllBytes)];

    private static bool IsTyped(Exception e) => e is NpyFormatException;

    [Fact]
    public void Mutated_numpy_files_are_read_or_refused_with_NpyFormatException()
    {
        var ran = ParserFuzz.Run(ByteMutations.Of(Seeds), FuzzBudget.Npy, ReadBothWays, IsTyped, FuzzInput.Show);

        output.WriteLine($"{ran} mutated .npy files");
        Assert.True(ran >= FuzzBudget.Npy, $"ran {ran} cases");
    }

    [Fact]
    public void Generated_headers_are_read_or_refused_with_NpyFormatException()
    {
        var descr = Gen.OneOf("'<f4'", "'<f2'", "'<i8'", "'<i4'", "'|u1'", "'|b1'", "'>f4'", "'<f8'", "'|O'", "'<c8'", "''", "'<f4", "4", "None", "'<U10'");
        var dim = Gen.OneOf("0", "1", "3", "4", "65536", "2147483647", "2147483648", "4294967296", "9223372036854775807",
            "9223372036854775808", "99999999999999999999999", "-1", "1L", " 2 ", "", "0x10", "1.0");
        var shape = dim.Array[0, 9].Select(dims => "(" + string.Join(", ", dims) + (dims.Length == 1 ? ",)" : ")"));
        var order = Gen.OneOf("False", "True", "0", "false", "'False'");
        var entries = Gen.Select(descr, order, shape, (d, o, s) => new[] { $"'descr': {d}", $"'fortran_order': {o}", $"'shape': {s}" });
        var header = Gen.Select(entries, Gen.Int[0, 5], Gen.Bool, (e, drop, brace) =>
            "{" + string.Join(", ", e.Where((_, i) => i != drop)) + (brace ? ", }" : ""));
        var files = Gen.Select(header, Gen.OneOf(1, 2, 3), Gen.Int[0, 200], (h, version, dataLength) => NpyFile(h, version, dataLength));

        var ran = ParserFuzz.Run(files, FuzzBudget.NpyHeaders, ReadBothWays, IsTyped, FuzzInput.Show);

        output.WriteLine($"{ran} generated .npy headers");
        Assert.True(ran >= FuzzBudget.NpyHeaders, $"ran {ran} cases");
    }

    // The span and stream readers must agree, and whatever they accept must survive a round trip.
    private static void ReadBothWays(byte[] file)
    {
        Tensor? fromSpan = null;
        Exception? spanError = null;
        try
        {
            fromSpan = Npy.Read(file);
        }
        catch (NpyFormatException e)
        {
            spanError = e;
        }

        using var stream = new MemoryStream(file);
        if (spanError is not null)
        {
            var streamError = Record.Exception(() => Npy.Read(stream));
            Assert.True(streamError is NpyFormatException, $"the span reader refused ({spanError.Message}) but the stream reader gave {streamError?.GetType().Name ?? "a tensor"}");
            throw spanError;
        }

        var streamRead = Record.Exception(() => Assert.Equal(fromSpan, Npy.Read(stream)));
        Assert.True(streamRead is null, $"the span reader accepted {fromSpan} but the stream reader: {streamRead?.Message}");
        Assert.Equal(fromSpan, Npy.Read(Npy.Write(fromSpan!)));
    }

    private static byte[] NpyFile(string header, int version, int dataLength)
    {
        var text = Encoding.ASCII.GetBytes(header + "\n");
        var lengthField = version == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes((uint)text.Length);
        return [0x93, .. "NUMPY"u8, (byte)version, 0, .. lengthField, .. text, .. new byte[dataLength]];
    }
}
