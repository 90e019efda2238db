namespace Exchange.Core.Tensors;

/// <summary>Names, sizes and NumPy descriptors of <see cref="TensorDType"/> values.</summary>
public static class TensorDTypes
{
    private static readonly (TensorDType DType, string Name, string Descr, int Size, Type Clr)[] Table =
    [
        (TensorDType.Float32, "float32", "<f4", 4, typeof(float)),
        (TensorDType.Float16, "float16", "<f2", 2, typeof(Half)),
        (TensorDType.Int64, "int64", "<i8", 8, typeof(long)),
        (TensorDType.Int32, "int32", "<i4", 4, typeof(int)),
        (TensorDType.UInt8, "uint8", "|u1", 1, typeof(byte)),
        (TensorDType.Bool, "bool", "|b1", 1, typeof(bool)),
    ];

    /// <summary>The names <see cref="Parse"/> accepts, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The NumPy-style name (<c>float32</c>, <c>uint8</c>, <c>bool</c>…) used in model cards.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>Its name.</returns>
    public static string Name(this TensorDType dtype) => Row(dtype).Name;

    /// <summary>Bytes per element.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>Its size in bytes.</returns>
    public static int Size(this TensorDType dtype) => Row(dtype).Size;

    /// <summary>The descriptor NumPy writes for the type in a <c>.npy</c> header (little-endian).</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>For example <c>&lt;f4</c>.</returns>
    public static string NpyDescr(this TensorDType dtype) => Row(dtype).Descr;

    /// <summary>The CLR element type of the type's typed view.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>For example <see cref="float"/>.</returns>
    public static Type ClrType(this TensorDType dtype) => Row(dtype).Clr;

    /// <summary>Parses a NumPy-style name as written in a model card.</summary>
    /// <param name="name">For example <c>float32</c>.</param>
    /// <param name="dtype">The type when the name is known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? name, out TensorDType dtype)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, name, StringComparison.Ordinal))
            {
                dtype = row.DType;
                return true;
            }
        }

        dtype = default;
        return false;
    }

    /// <summary>Parses a NumPy-style name as written in a model card.</summary>
    /// <param name="name">For example <c>float32</c>.</param>
    /// <returns>The type.</returns>
    /// <exception cref="FormatException">The name is not one of <see cref="Names"/>.</exception>
    public static TensorDType Parse(string? name) =>
        TryParse(name, out var dtype)
            ? dtype
            : throw new FormatException($"unknown dtype \"{name}\"; expected one of {string.Join(", ", Names)}");

    /// <summary>The type whose typed view has element type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">float, Half, long, int, byte or bool.</typeparam>
    /// <returns>The matching type.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is none of those.</exception>
    public static TensorDType Of<T>()
        where T : unmanaged
    {
        foreach (var row in Table)
        {
            if (row.Clr == typeof(T))
            {
                return row.DType;
            }
        }

        throw new NotSupportedException($"no tensor dtype has element type {typeof(T).Name}");
    }

    internal static bool TryFromNpyDescr(string descr, out TensorDType dtype)
    {
        foreach (var row in Table)
        {
            // One-byte types have no byte order: NumPy writes '|' but '<' and '=' mean the same.
            var matches = string.Equals(row.Descr, descr, StringComparison.Ordinal)
                || (row.Size == 1 && descr.Length == 3 && descr[0] is '<' or '=' && descr.AsSpan(1).SequenceEqual(row.Descr.AsSpan(1)));
            if (matches)
            {
                dtype = row.DType;
                return true;
            }
        }

        dtype = default;
        return false;
    }

    private static (TensorDType DType, string Name, string Descr, int Size, Type Clr) Row(TensorDType dtype)
    {
        var index = (int)dtype;
        return index >= 0 && index < Table.Length
            ? Table[index]
            : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown tensor dtype");
    }
}
