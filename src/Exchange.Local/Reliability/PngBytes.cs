using System.Buffers.Binary;
using System.Text;

namespace Exchange.Local.Reliability;

/// <summary>A PNG that claims any size: the signature and an IHDR chunk with a valid CRC, and no pixel data, so it costs nothing to make and everything to decode naively.</summary>
internal static class PngBytes
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The header of an 8-bit RGB image of <paramref name="width"/> × <paramref name="height"/>, then an empty IDAT and IEND.</summary>
    public static byte[] Claiming(uint width, uint height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        using var stream = new MemoryStream();
        stream.Write(Signature);
        Chunk(stream, "IHDR", header);
        Chunk(stream, "IDAT", []);
        Chunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary>The CRC-32 (ISO-HDLC, as PNG uses it) of <paramref name="bytes"/>, bit by bit: a few chunks need no table.</summary>
    private static uint Crc(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        stream.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typed));
        stream.Write(word);
    }
}
