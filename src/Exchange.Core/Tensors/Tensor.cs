using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Exchange.Core.Tensors;

/// <summary>
/// A dense tensor in C order: element type, shape and the raw little-endian element bytes.
/// Immutable; two tensors are equal when type, shape and bytes are equal.
/// </summary>
public sealed record Tensor
{
    private readonly ReadOnlyMemory<byte> _data;

    /// <summary>Creates a tensor over a copy of <paramref name="data"/>.</summary>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions, each at least zero; empty for a scalar.</param>
    /// <param name="data">Little-endian element bytes in C order; the length must match the shape.</param>
    /// <exception cref="ArgumentException">A dimension is negative, there are too many, or the data length disagrees with the shape, or a bool byte is not 0 or 1.</exception>
    public Tensor(TensorDType dtype, ReadOnlySpan<long> shape, ReadOnlySpan<byte> data)
        : this(dtype, shape.ToImmutableArray(), data.ToArray())
    {
    }

    private Tensor(TensorDType dtype, ImmutableArray<long> shape, ReadOnlyMemory<byte> ownedData)
    {
        var expected = ByteLength(dtype, shape.AsSpan());
        if (ownedData.Length != expected)
        {
            throw new ArgumentException(
                $"shape ({string.Join(", ", shape)}) of {dtype.Name()} needs {expected} bytes, data has {ownedData.Length}",
                nameof(ownedData));
        }

        if (dtype == TensorDType.Bool && ownedData.Span.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
        {
            throw new ArgumentException($"bool element {bad} is {ownedData.Span[bad]}, not 0 or 1", nameof(ownedData));
        }

        DType = dtype;
        Shape = shape;
        _data = ownedData;
    }

    /// <summary>Element type.</summary>
    public TensorDType DType { get; }

    /// <summary>Dimensions in C order (last varies fastest); empty for a scalar.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>Little-endian element bytes in C order.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>Number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public long ElementCount => _data.Length / DType.Size();

    /// <summary>Creates a tensor from typed values; the dtype follows from <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">float, Half, long, int, byte or bool.</typeparam>
    /// <param name="values">The elements in C order.</param>
    /// <param name="shape">Dimensions whose product is the number of values.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException">The count of values disagrees with the shape.</exception>
    public static Tensor Create<T>(ReadOnlySpan<T> values, params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        EnsureLittleEndianHost();
        return new Tensor(TensorDTypes.Of<T>(), shape.ToImmutableArray(), MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>The elements as a typed span over the tensor's bytes (no copy).</summary>
    /// <typeparam name="T">The CLR type of <see cref="DType"/>: float, Half, long, int, byte or bool.</typeparam>
    /// <returns>The elements in C order.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    public ReadOnlySpan<T> Values<T>()
        where T : unmanaged
    {
        if (DType.ClrType() != typeof(T))
        {
            throw new InvalidOperationException($"tensor is {DType.Name()}; it has no {typeof(T).Name} view");
        }

        EnsureLittleEndianHost();
        return MemoryMarshal.Cast<byte, T>(_data.Span);
    }

    /// <summary>The elements as float32 (the tensor must be <see cref="TensorDType.Float32"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<float> AsFloat32() => Values<float>();

    /// <summary>The elements as float16 (the tensor must be <see cref="TensorDType.Float16"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<Half> AsFloat16() => Values<Half>();

    /// <summary>The elements as int64 (the tensor must be <see cref="TensorDType.Int64"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<long> AsInt64() => Values<long>();

    /// <summary>The elements as int32 (the tensor must be <see cref="TensorDType.Int32"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<int> AsInt32() => Values<int>();

    /// <summary>The elements as uint8 (the tensor must be <see cref="TensorDType.UInt8"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<byte> AsUInt8() => Values<byte>();

    /// <summary>The elements as bool (the tensor must be <see cref="TensorDType.Bool"/>).</summary>
    /// <returns>The elements in C order.</returns>
    public ReadOnlySpan<bool> AsBool() => Values<bool>();

    /// <summary>Equal when type, shape and bytes are equal.</summary>
    /// <param name="other">The other tensor.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(Tensor? other) =>
        other is not null
        && DType == other.DType
        && Shape.AsSpan().SequenceEqual(other.Shape.AsSpan())
        && _data.Span.SequenceEqual(other._data.Span);

    /// <summary>A hash of type, shape and bytes.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(DType);
        foreach (var dim in Shape)
        {
            hash.Add(dim);
        }

        hash.AddBytes(_data.Span);
        return hash.ToHashCode();
    }

    /// <summary>Type and shape, for messages (not the data).</summary>
    /// <returns>For example <c>float32[1, 512]</c>.</returns>
    public override string ToString() => $"{DType.Name()}[{string.Join(", ", Shape)}]";

    /// <summary>
    /// A tensor over <paramref name="data"/> itself, not a copy: for bytes nobody else holds (a
    /// decrypted payload, an output just copied out of the runtime), which must not change afterwards.
    /// </summary>
    internal static Tensor FromOwnedBytes(TensorDType dtype, ImmutableArray<long> shape, ReadOnlyMemory<byte> data) => new(dtype, shape, data);

    /// <summary>The byte length a tensor of this type and shape has.</summary>
    /// <exception cref="ArgumentException">A dimension is negative, there are too many, or the size overflows.</exception>
    internal static long ByteLength(TensorDType dtype, ReadOnlySpan<long> shape)
    {
        if (shape.Length > CoreLimits.MaxTensorRank)
        {
            throw new ArgumentException($"tensor has {shape.Length} dimensions; at most {CoreLimits.MaxTensorRank} are supported", nameof(shape));
        }

        long length = dtype.Size();
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"dimension {dim} is negative", nameof(shape));
            }

            try
            {
                length = checked(length * dim);
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) is too large to address", nameof(shape));
            }
        }

        return length > Array.MaxLength
            ? throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) needs {length} bytes, more than one array holds", nameof(shape))
            : length;
    }

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("typed tensor views need a little-endian host");
        }
    }
}
