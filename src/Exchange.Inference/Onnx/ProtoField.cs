namespace Exchange.Inference.Onnx;

/// <summary>One field of a protobuf message as it sits on the wire: number, wire type and payload.</summary>
/// <param name="Number">The field number.</param>
/// <param name="WireType">0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.</param>
/// <param name="Varint">The value of a varint field.</param>
/// <param name="Bytes">The payload of a length-delimited or fixed-size field.</param>
internal readonly record struct ProtoField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)
{
    public const int VarintType = 0;
    public const int Fixed64Type = 1;
    public const int LengthDelimitedType = 2;
    public const int Fixed32Type = 5;

    public static ProtoField Message(int number, ReadOnlyMemory<byte> bytes) => new(number, LengthDelimitedType, 0, bytes);

    public static ProtoField Text(int number, string text) => Message(number, System.Text.Encoding.UTF8.GetBytes(text));

    public static ProtoField Integer(int number, long value) => new(number, VarintType, unchecked((ulong)value), default);

    public string AsText() => System.Text.Encoding.UTF8.GetString(Bytes.Span);
}
