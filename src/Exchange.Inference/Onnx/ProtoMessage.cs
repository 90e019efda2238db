using System.Buffers;

namespace Exchange.Inference.Onnx;

/// <summary>
/// The fields of one protobuf message, in wire order. Only what the ONNX graph edits here need:
/// nested messages are parsed on demand, everything else is carried as bytes, so a message that is
/// read and written back unchanged keeps its exact bytes.
/// </summary>
internal sealed class ProtoMessage
{
    public ProtoMessage(List<ProtoField> fields) => Fields = fields;

    public List<ProtoField> Fields { get; }

    public static ProtoMessage Parse(ReadOnlyMemory<byte> bytes)
    {
        var fields = new List<ProtoField>();
        var span = bytes.Span;
        var position = 0;
        while (position < span.Length)
        {
            var tag = ReadVarint(span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (number <= 0)
            {
                throw new InvalidDataException($"Malformed ONNX protobuf: field number {number} at byte {position}.");
            }

            switch (wireType)
            {
                case ProtoField.VarintType:
                    fields.Add(new ProtoField(number, wireType, ReadVarint(span, ref position), default));
                    break;
                case ProtoField.Fixed64Type:
                    fields.Add(new ProtoField(number, wireType, 0, Slice(bytes, ref position, 8)));
                    break;
                case ProtoField.LengthDelimitedType:
                    var length = ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position))
                    {
                        throw new InvalidDataException($"Malformed ONNX protobuf: field {number} claims {length} bytes, {span.Length - position} remain.");
                    }

                    fields.Add(new ProtoField(number, wireType, 0, Slice(bytes, ref position, (int)length)));
                    break;
                case ProtoField.Fixed32Type:
                    fields.Add(new ProtoField(number, wireType, 0, Slice(bytes, ref position, 4)));
                    break;
                default:
                    throw new InvalidDataException($"Malformed ONNX protobuf: unsupported wire type {wireType} for field {number}.");
            }
        }

        return new ProtoMessage(fields);
    }

    public IEnumerable<ProtoField> All(int number) => Fields.Where(f => f.Number == number);

    public ProtoField? First(int number)
    {
        foreach (var field in Fields)
        {
            if (field.Number == number)
            {
                return field;
            }
        }

        return null;
    }

    public string? Text(int number) => First(number)?.AsText();

    public ProtoMessage? Child(int number) => First(number) is { } field ? Parse(field.Bytes) : null;

    /// <summary>Replaces every field with this number by the result of <paramref name="edit"/>, keeping positions.</summary>
    public void Map(int number, Func<ProtoField, ProtoField?> edit)
    {
        for (var i = Fields.Count - 1; i >= 0; i--)
        {
            if (Fields[i].Number != number)
            {
                continue;
            }

            if (edit(Fields[i]) is { } replacement)
            {
                Fields[i] = replacement;
            }
            else
            {
                Fields.RemoveAt(i);
            }
        }
    }

    public byte[] ToBytes()
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var field in Fields)
        {
            WriteVarint(writer, ((ulong)field.Number << 3) | (uint)field.WireType);
            switch (field.WireType)
            {
                case ProtoField.VarintType:
                    WriteVarint(writer, field.Varint);
                    break;
                case ProtoField.LengthDelimitedType:
                    WriteVarint(writer, (ulong)field.Bytes.Length);
                    writer.Write(field.Bytes.Span);
                    break;
                default:
                    writer.Write(field.Bytes.Span);
                    break;
            }
        }

        return writer.WrittenSpan.ToArray();
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> bytes, ref int position, int length)
    {
        if (length > bytes.Length - position)
        {
            throw new InvalidDataException($"Malformed ONNX protobuf: {length} bytes wanted at byte {position}, {bytes.Length - position} remain.");
        }

        var slice = bytes.Slice(position, length);
        position += length;
        return slice;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new InvalidDataException("Malformed ONNX protobuf: truncated varint.");
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Malformed ONNX protobuf: varint longer than 10 bytes.");
    }

    private static void WriteVarint(ArrayBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var count = 0;
        while (value >= 0x80)
        {
            span[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[count++] = (byte)value;
        writer.Advance(count);
    }
}
