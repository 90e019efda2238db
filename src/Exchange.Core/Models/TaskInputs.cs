using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Exchange.Core.Tensors;

namespace Exchange.Core.Models;

/// <summary>
/// Whether a task's input tensors are valid for a model card: the card's types and shapes, at least
/// one and at most <see cref="CoreLimits.MaxTaskRows"/> rows along a dynamic batch dimension, the
/// same rows in every input, no empty dimension, and only finite values in float inputs. The
/// client checks its tasks with it before any money moves, the provider every input of a job
/// before it accepts, the engine before it runs: an input that passes here has an output every
/// honest node agrees on (docs/verification.md).
/// </summary>
public static class TaskInputs
{
    /// <summary>Why <paramref name="tensor"/> is not a valid value of input <paramref name="spec"/>, or null when it is.</summary>
    /// <param name="spec">The card's input.</param>
    /// <param name="tensor">The tensor.</param>
    /// <returns>A sentence starting with the input's quoted name, or null.</returns>
    public static string? Problem(TensorSpec spec, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tensor);
        if (spec.Mismatch(tensor) is { } mismatch)
        {
            return mismatch;
        }

        if (tensor.Shape.Length > 0 && spec.Shape[0] == TensorSpec.DynamicDimension && tensor.Shape[0] is var rows and (< 1 or > CoreLimits.MaxTaskRows))
        {
            return $"'{spec.Name}' has {rows} rows along its batch dimension; a task holds 1 to {CoreLimits.MaxTaskRows}";
        }

        if (tensor.Shape.IndexOf(0) is var empty and >= 0)
        {
            return $"'{spec.Name}' {tensor} has no elements (dimension {empty} is 0)";
        }

        return NonFinite(tensor) is { } bad
            ? $"'{spec.Name}' element {bad.Index.ToString(CultureInfo.InvariantCulture)} is {bad.Value}; {tensor.DType.Name()} inputs must be finite"
            : null;
    }

    /// <summary>Why <paramref name="inputs"/> are not a valid task of <paramref name="card"/>, or null when they are.</summary>
    /// <param name="card">The model card.</param>
    /// <param name="inputs">The task's inputs, in the card's order.</param>
    /// <returns>A sentence naming the input at fault, or null.</returns>
    public static string? Problem(ModelCard card, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != card.Inputs.Count)
        {
            return $"model '{card.Name}' takes {card.Inputs.Count} input(s) ({string.Join(", ", card.Inputs.Select(s => $"'{s.Name}' {s}"))}), got {inputs.Count}";
        }

        long? rows = null;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (Problem(card.Inputs[i], inputs[i]) is { } problem)
            {
                return problem;
            }

            var tensorRows = inputs[i].Shape.Length > 0 ? inputs[i].Shape[0] : 1;
            if (rows is { } r && r != tensorRows)
            {
                return $"'{card.Inputs[i].Name}' has {tensorRows} rows and '{card.Inputs[0].Name}' {r}; every input of a task needs the same number";
            }

            rows = tensorRows;
        }

        return null;
    }

    /// <summary>The first NaN or infinite element of a float tensor, or null (always null for other types).</summary>
    private static (long Index, string Value)? NonFinite(Tensor tensor)
    {
        switch (tensor.DType)
        {
            case TensorDType.Float32:
                var floats = tensor.AsFloat32();
                var f = FirstWithFullExponent(MemoryMarshal.Cast<float, uint>(floats), 0x7F80_0000u);
                return f < 0 ? null : (f, Name(floats[f]));
            case TensorDType.Float16:
                var halves = tensor.AsFloat16();
                var h = FirstWithFullExponent(MemoryMarshal.Cast<Half, ushort>(halves), (ushort)0x7C00);
                return h < 0 ? null : (h, Name((float)halves[h]));
            default:
                return null;
        }
    }

    /// <summary>
    /// The index of the first IEEE element whose exponent bits are all set (NaN or ±Inf), or −1.
    /// Every provider checks every input of every task, hundreds of kilobytes each: the scan runs a
    /// vector at a time and only looks at single elements in the vector that holds the culprit.
    /// </summary>
    private static int FirstWithFullExponent<T>(ReadOnlySpan<T> bits, T exponent)
        where T : unmanaged, IBinaryInteger<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<T>.Count)
        {
            var mask = new Vector<T>(exponent);
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(bits);
            for (var v = 0; v < vectors.Length; v++)
            {
                if (Vector.EqualsAny(vectors[v] & mask, mask))
                {
                    break;
                }

                i += Vector<T>.Count;
            }
        }

        for (; i < bits.Length; i++)
        {
            if ((bits[i] & exponent) == exponent)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Name(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
}
