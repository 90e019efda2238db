using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Exchange.Core.Tensors;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0 and 2.0, C order, little-endian,
/// the dtypes of <see cref="TensorDType"/>). The writer produces the bytes <c>numpy.save</c> produces.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int VersionLength = 2;
    private const int HeaderAlignment = 64;

    private const int StreamChunk = 1 << 16;
    private const int MaxTrailingCount = 1 << 16;

    // NumPy pads the header so the first dimension can grow to this many digits in place.
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>Parses a whole <c>.npy</c> file.</summary>
    /// <param name="file">The file's bytes, nothing before or after.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="NpyFormatException">The file is malformed or uses something this reader does not support; the message says what.</exception>
    public static Tensor Read(ReadOnlySpan<byte> file)
    {
        var (dtype, shape, dataOffset) = Parse(file);
        return Build(dtype, shape, file[dataOffset..].ToArray());
    }

    /// <summary>
    /// Parses a whole <c>.npy</c> file as <see cref="Read(ReadOnlySpan{byte})"/> does, into a tensor
    /// over the file's own data bytes instead of a copy: for a file nobody else holds (a payload just
    /// decrypted or fetched), whose bytes must not change afterwards.
    /// </summary>
    /// <param name="file">The file's bytes, nothing before or after.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="NpyFormatException">The file is malformed or uses something this reader does not support; the message says what.</exception>
    public static Tensor ReadShared(ReadOnlyMemory<byte> file)
    {
        var (dtype, shape, dataOffset) = Parse(file.Span);
        return Build(dtype, shape, file[dataOffset..]);
    }

    /// <summary>The element type, the shape and where the data starts, with the data's length checked.</summary>
    private static (TensorDType DType, ImmutableArray<long> Shape, int DataOffset) Parse(ReadOnlySpan<byte> file)
    {
        var (headerStart, headerLength) = ReadPreamble(file);
        var (dtype, shape, length) = ParseHeader(file.Slice(headerStart, headerLength));
        var dataOffset = headerStart + headerLength;
        var data = file[dataOffset..];
        if (data.Length < length)
        {
            throw TruncatedData(dtype, shape, length, data.Length);
        }

        if (data.Length > length)
        {
            throw new NpyFormatException($"{data.Length - length} trailing bytes after the {length} data bytes");
        }

        return (dtype, shape, dataOffset);
    }

    /// <summary>Reads a whole <c>.npy</c> file from a stream, which must end where the file ends.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="NpyFormatException">The file is malformed or unsupported; the message says what.</exception>
    public static Tensor Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var fixedPart = new byte[Magic.Length + VersionLength];
        var fixedRead = stream.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false);
        var version = CheckMagicAndVersion(fixedPart.AsSpan(0, fixedRead));
        var lengthField = new byte[LengthFieldSize(version)];
        ReadExactly(stream, lengthField, "header length");
        var headerLength = HeaderLength(lengthField, version);
        var header = new byte[headerLength];
        ReadExactly(stream, header, "header");
        var (dtype, shape, length) = ParseHeader(header);
        var data = ReadData(stream, length);
        if (data.Length < length)
        {
            throw TruncatedData(dtype, shape, length, data.Length);
        }

        var trailing = CountRemaining(stream);
        if (trailing > 0)
        {
            throw new NpyFormatException(trailing > MaxTrailingCount
                ? $"more than {MaxTrailingCount} trailing bytes after the {length} data bytes"
                : $"{trailing} trailing bytes after the {length} data bytes");
        }

        return Build(dtype, shape, data);
    }

    /// <summary>Encodes a tensor as NumPy does: version 1.0 unless the header needs 2.0.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] Write(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var header = HeaderText(tensor);
        var version = PaddedHeaderLength(header, NpyVersion.V1) <= ushort.MaxValue ? NpyVersion.V1 : NpyVersion.V2;
        return Write(tensor, header, version);
    }

    /// <summary>Encodes a tensor with a chosen format version, as <c>numpy.lib.format.write_array(..., version=)</c> does.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="version">The format version.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentException">The header does not fit version 1.0's 16-bit length.</exception>
    public static byte[] Write(Tensor tensor, NpyVersion version)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Write(tensor, HeaderText(tensor), version);
    }

    /// <summary>Writes a tensor to a stream as <see cref="Write(Tensor)"/> encodes it.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="destination">The stream.</param>
    public static void Write(Tensor tensor, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Write(tensor));
    }

    /// <summary>
    /// Encodes a tensor as <see cref="Write(Tensor)"/> does into pooled memory and passes the file's
    /// bytes to <paramref name="use"/>, which must not keep them: for a file that is only an
    /// intermediate (the plaintext of an encrypted payload), so that each one costs no fresh
    /// allocation of its size, whose pages the kernel would fault in and zero.
    /// </summary>
    /// <typeparam name="T">What <paramref name="use"/> makes of the bytes.</typeparam>
    /// <param name="tensor">The tensor.</param>
    /// <param name="use">Reads the file's bytes (for example, encrypts them into an array of its own).</param>
    /// <returns>What <paramref name="use"/> returned.</returns>
    public static T WithEncoded<T>(Tensor tensor, Func<ReadOnlySpan<byte>, T> use)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(use);
        var header = HeaderText(tensor);
        var preamble = Preamble(header, PaddedHeaderLength(header, NpyVersion.V1) <= ushort.MaxValue ? NpyVersion.V1 : NpyVersion.V2);
        var length = preamble.Length + tensor.Data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            preamble.CopyTo(buffer, 0);
            tensor.Data.Span.CopyTo(buffer.AsSpan(preamble.Length));
            return use(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Write(Tensor tensor, string header, NpyVersion version)
    {
        var preamble = Preamble(header, version);
        // Uninitialised: every byte is written below, and a large tensor's file would otherwise be zeroed first.
        var file = GC.AllocateUninitializedArray<byte>(preamble.Length + tensor.Data.Length);
        preamble.CopyTo(file, 0);
        tensor.Data.Span.CopyTo(file.AsSpan(preamble.Length));
        return file;
    }

    private static string HeaderText(Tensor tensor)
    {
        var shape = tensor.Shape;
        var header = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{{'descr': '{tensor.DType.NpyDescr()}', 'fortran_order': False, 'shape': ")
            .Append(PythonTuple(shape))
            .Append(", }");
        if (shape.Length > 0)
        {
            header.Append(' ', Math.Max(0, GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        }

        return header.ToString();
    }

    private static byte[] Preamble(string header, NpyVersion version)
    {
        var fieldSize = LengthFieldSize(version);
        var headerLength = PaddedHeaderLength(header, version);
        if (version == NpyVersion.V1 && headerLength > ushort.MaxValue)
        {
            throw new ArgumentException($"header of {headerLength} bytes does not fit format version 1.0", nameof(version));
        }

        var preamble = new byte[Magic.Length + VersionLength + fieldSize + headerLength];
        Magic.CopyTo(preamble, 0);
        preamble[Magic.Length] = (byte)version;
        preamble[Magic.Length + 1] = 0;
        var field = preamble.AsSpan(Magic.Length + VersionLength);
        if (version == NpyVersion.V1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)headerLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)headerLength);
        }

        var text = preamble.AsSpan(Magic.Length + VersionLength + fieldSize);
        Encoding.ASCII.GetBytes(header, text);
        text[header.Length..^1].Fill((byte)' ');
        preamble[^1] = (byte)'\n';
        return preamble;
    }

    // As numpy.lib.format._wrap_header: spaces then a newline so the data starts on a 64-byte boundary;
    // an already aligned header still gets a full 64 spaces.
    private static int PaddedHeaderLength(string header, NpyVersion version)
    {
        var unpadded = Magic.Length + VersionLength + LengthFieldSize(version) + header.Length + 1;
        return header.Length + 1 + HeaderAlignment - (unpadded % HeaderAlignment);
    }

    private static string PythonTuple(ImmutableArray<long> shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => $"({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})",
    };

    private static (int HeaderStart, int HeaderLength) ReadPreamble(ReadOnlySpan<byte> file)
    {
        var fixedLength = Magic.Length + VersionLength;
        var version = CheckMagicAndVersion(file[..Math.Min(file.Length, fixedLength)]);
        var fieldSize = LengthFieldSize(version);
        if (file.Length < fixedLength + fieldSize)
        {
            throw new NpyFormatException("truncated header: the header length field is cut off");
        }

        var headerLength = HeaderLength(file.Slice(fixedLength, fieldSize), version);
        var headerStart = fixedLength + fieldSize;
        if (file.Length - headerStart < headerLength)
        {
            throw new NpyFormatException($"truncated header: the header declares {headerLength} bytes, the file has {file.Length - headerStart} after the length field");
        }

        return (headerStart, headerLength);
    }

    private static NpyVersion CheckMagicAndVersion(ReadOnlySpan<byte> fixedPart)
    {
        var magicPart = fixedPart[..Math.Min(fixedPart.Length, Magic.Length)];
        if (!magicPart.SequenceEqual(Magic.AsSpan(0, magicPart.Length)))
        {
            throw new NpyFormatException("bad magic: not a .npy file (it must start with \\x93NUMPY)");
        }

        if (fixedPart.Length < Magic.Length + VersionLength)
        {
            throw new NpyFormatException($"truncated header: the file ends after {fixedPart.Length} bytes, inside the magic and version");
        }

        var (major, minor) = (fixedPart[Magic.Length], fixedPart[Magic.Length + 1]);
        return (major, minor) switch
        {
            (1, 0) => NpyVersion.V1,
            (2, 0) => NpyVersion.V2,
            _ => throw new NpyFormatException($"unsupported format version {major}.{minor}; versions 1.0 and 2.0 are supported"),
        };
    }

    private static int LengthFieldSize(NpyVersion version) => version == NpyVersion.V1 ? sizeof(ushort) : sizeof(uint);

    private static int HeaderLength(ReadOnlySpan<byte> field, NpyVersion version)
    {
        var length = version == NpyVersion.V1
            ? BinaryPrimitives.ReadUInt16LittleEndian(field)
            : BinaryPrimitives.ReadUInt32LittleEndian(field);
        return length > CoreLimits.MaxNpyHeaderLength
            ? throw new NpyFormatException($"header of {length} bytes is larger than the {CoreLimits.MaxNpyHeaderLength} bytes accepted")
            : (int)length;
    }

    private static (TensorDType DType, ImmutableArray<long> Shape, int Length) ParseHeader(ReadOnlySpan<byte> header)
    {
        foreach (var b in header)
        {
            if (b >= 0x80)
            {
                throw new NpyFormatException("header is not ASCII");
            }
        }

        var dict = NpyHeaderParser.Parse(Encoding.ASCII.GetString(header));
        if (dict.FortranOrder)
        {
            throw new NpyFormatException("Fortran order is not supported; save the array in C order (numpy.ascontiguousarray)");
        }

        var dtype = DTypeFromDescr(dict.Descr);
        long length;
        try
        {
            length = Tensor.ByteLength(dtype, dict.Shape.AsSpan());
        }
        catch (ArgumentException e)
        {
            throw new NpyFormatException($"bad shape in header: {e.Message}", e);
        }

        return (dtype, dict.Shape, (int)length);
    }

    private static TensorDType DTypeFromDescr(string descr)
    {
        if (TensorDTypes.TryFromNpyDescr(descr, out var dtype))
        {
            return dtype;
        }

        if (descr.Length > 1 && descr[0] == '>')
        {
            throw new NpyFormatException($"big-endian dtype '{descr}' is not supported; save little-endian ('<' + type)");
        }

        if (descr.Length > 1 && descr[1] == 'O')
        {
            throw new NpyFormatException($"object dtype '{descr}' is not supported");
        }

        throw new NpyFormatException(
            $"unsupported dtype '{descr}'; supported: {string.Join(", ", Enum.GetValues<TensorDType>().Select(t => t.NpyDescr()))}");
    }

    private static NpyFormatException TruncatedData(TensorDType dtype, ImmutableArray<long> shape, int length, int found) =>
        new($"truncated data: shape ({string.Join(", ", shape)}) of {dtype.Name()} needs {length} bytes, file has {found}");

    private static Tensor Build(TensorDType dtype, ImmutableArray<long> shape, ReadOnlyMemory<byte> data)
    {
        try
        {
            return Tensor.FromOwnedBytes(dtype, shape, data);
        }
        catch (ArgumentException e)
        {
            throw new NpyFormatException($"bad data: {e.Message}", e);
        }
    }

    // Grows the buffer as bytes arrive, so a header that claims gigabytes costs memory only for the
    // bytes the stream really has.
    private static byte[] ReadData(Stream stream, int length)
    {
        var data = new byte[Math.Min(length, StreamChunk)];
        var filled = 0;
        while (filled < length)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            }

            var read = stream.Read(data, filled, data.Length - filled);
            if (read == 0)
            {
                return data[..filled];
            }

            filled += read;
        }

        return data;
    }

    // Stops counting past a limit, so an endless stream cannot keep the reader busy.
    private static int CountRemaining(Stream stream)
    {
        Span<byte> buffer = stackalloc byte[256];
        var count = 0;
        int read;
        while (count <= MaxTrailingCount && (read = stream.Read(buffer)) > 0)
        {
            count += read;
        }

        return count;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string part)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new NpyFormatException($"truncated header: the file ends inside the {part}");
        }
    }
}
