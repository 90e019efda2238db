using System.Buffers.Binary;
using System.Text;

namespace Exchange.Local.Reliability;

/// <summary>Hand-made <c>.npy</c> files, well-formed or broken on purpose, byte by byte as the format's specification lays them out.</summary>
internal static class NpyBytes
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>A version-1 file: magic, version, header length, the header padded to 64 bytes with its newline, then <paramref name="data"/>.</summary>
    public static byte[] File(string header, ReadOnlySpan<byte> data, byte major = 1)
    {
        var padded = header;
        while ((Magic.Length + 2 + 2 + padded.Length + 1) % 64 != 0)
        {
            padded += " ";
        }

        var headerBytes = Encoding.ASCII.GetBytes(padded + "\n");
        var bytes = new byte[Magic.Length + 4 + headerBytes.Length + data.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = major;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerBytes.Length);
        headerBytes.CopyTo(bytes, 10);
        data.CopyTo(bytes.AsSpan(10 + headerBytes.Length));
        return bytes;
    }

    /// <summary>The header dictionary of a little-endian array.</summary>
    public static string Header(IReadOnlyList<long> shape, string descr = "<f4", bool fortranOrder = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': ({string.Join(", ", shape)}{(shape.Count == 1 ? "," : "")}), }}";

    /// <summary>float32 values, little-endian, all equal to <paramref name="value"/>.</summary>
    public static byte[] Floats(long count, float value)
    {
        var data = new byte[count * sizeof(float)];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), value);
        }

        return data;
    }

    /// <summary>The magic and version alone: a file cut short inside its preamble.</summary>
    public static byte[] PreambleOnly() => [.. Magic, 1, 0];
}
