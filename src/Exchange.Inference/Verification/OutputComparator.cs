using System.Globalization;
using System.Runtime.InteropServices;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Inference.Verification;

/// <summary>
/// Applies a model card's verification policy to a provider's outputs against the
/// verifier's own re-run: <c>exact</c> wants identical values; <c>tolerance</c> bounds relative L2,
/// max abs and cosine per output tensor, and top-1 agreement for classifiers. Under both, a NaN
/// equals a NaN (whatever its payload) and an infinity the same infinity; a non-finite value
/// against anything else fails (docs/verification.md).
/// </summary>
public static class OutputComparator
{
    /// <summary>Compares a task's outputs with the reference outputs under the card's policy.</summary>
    /// <param name="card">The model card (policy, output specs, classifier flag).</param>
    /// <param name="expected">The verifier's outputs, in the card's order.</param>
    /// <param name="actual">The provider's outputs, in the card's order.</param>
    public static VerificationResult Compare(ModelCard card, IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != card.Outputs.Count)
        {
            throw new ArgumentException($"The reference has {expected.Count} outputs; model '{card.Name}' has {card.Outputs.Count}.", nameof(expected));
        }

        var results = new List<OutputComparison>(card.Outputs.Count);
        for (var o = 0; o < card.Outputs.Count; o++)
        {
            var name = card.Outputs[o].Name;
            results.Add(o < actual.Count
                ? Compare(card, name, expected[o], actual[o])
                : new OutputComparison(name, false, null, $"output '{name}' is missing: {actual.Count} outputs given, {card.Outputs.Count} expected"));
        }

        if (actual.Count > card.Outputs.Count)
        {
            results.Add(new OutputComparison($"#{card.Outputs.Count}", false, null, $"{actual.Count} outputs given, {card.Outputs.Count} expected"));
        }

        return new VerificationResult(results.All(r => r.Pass), results);
    }

    /// <summary>Whether metrics satisfy a tolerance policy; NaN never does.</summary>
    public static bool Satisfies(TolerancePolicy policy, TensorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(metrics);
        return Violation(policy, metrics) is null;
    }

    /// <summary>The first bound the metrics break, or null.</summary>
    public static string? Violation(TolerancePolicy policy, TensorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(metrics);
        if (!(metrics.RelativeL2 <= policy.MaxRelL2))
        {
            return $"relative L2 {metrics.RelativeL2:G4} exceeds {policy.MaxRelL2:G4}";
        }

        if (!(metrics.MaxAbs <= policy.MaxAbs))
        {
            return $"max abs {metrics.MaxAbs:G4} exceeds {policy.MaxAbs:G4}";
        }

        if (!(metrics.Cosine >= policy.MinCosine))
        {
            return $"cosine {metrics.Cosine:G9} is below {policy.MinCosine:G9}";
        }

        if (policy.MinTop1Agreement is { } minTop1 && !(metrics.Top1Agreement >= minTop1))
        {
            return $"top-1 agreement {metrics.Top1Agreement:G4} is below {minTop1:G4}";
        }

        return null;
    }

    /// <summary>Metrics of a tensor against its reference, treating each as a flat vector of doubles.</summary>
    public static TensorMetrics Measure(Tensor expected, Tensor actual, bool classifier)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var classes = classifier && expected.Shape.Length > 0 ? (int)expected.Shape[^1] : 0;
        return TensorMetrics.Measure(ToDoubles(expected), ToDoubles(actual), classes);
    }

    private static OutputComparison Compare(ModelCard card, string name, Tensor expected, Tensor actual)
    {
        if (expected.DType != actual.DType || !expected.Shape.SequenceEqual(actual.Shape))
        {
            return new OutputComparison(name, false, null, $"output '{name}' is {actual}, expected {expected}");
        }

        switch (card.Verification)
        {
            case ExactPolicy:
                var same = ExactlyEqual(expected, actual);
                return new OutputComparison(name, same, null, same ? null : $"output '{name}' differs from the reference and the policy is exact");
            case TolerancePolicy tolerance:
                var e = ToDoubles(expected);
                var a = ToDoubles(actual);
                if (NonFiniteDisagreement(e, a) is { } index)
                {
                    return new OutputComparison(name, false, null, string.Create(CultureInfo.InvariantCulture, $"output '{name}' element {index} is {a[index]}, the reference {e[index]}"));
                }

                var classes = card.Classifier && expected.Shape.Length > 0 ? (int)expected.Shape[^1] : 0;
                var metrics = TensorMetrics.Measure(e, a, classes);
                var violation = Violation(tolerance, metrics);
                return new OutputComparison(name, violation is null, metrics, violation is null ? null : $"output '{name}': {violation}");
            default:
                throw new NotSupportedException($"Verification policy '{card.Verification.Name}' is not supported.");
        }
    }

    /// <summary>Identical bytes, except that a float NaN equals any NaN: devices differ in the payload and sign of the NaNs they make.</summary>
    private static bool ExactlyEqual(Tensor expected, Tensor actual)
    {
        if (expected.Data.Span.SequenceEqual(actual.Data.Span))
        {
            return true;
        }

        return expected.DType switch
        {
            TensorDType.Float32 => SameOrBothNaN(expected.AsFloat32(), actual.AsFloat32(), float.IsNaN),
            TensorDType.Float16 => SameOrBothNaN(expected.AsFloat16(), actual.AsFloat16(), Half.IsNaN),
            _ => false,
        };
    }

    private static bool SameOrBothNaN<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, Func<T, bool> isNaN)
        where T : unmanaged
    {
        for (var i = 0; i < expected.Length; i++)
        {
            var bitwise = MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1)));
            if (!bitwise && !(isNaN(expected[i]) && isNaN(actual[i])))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first element where one side is non-finite and the other is not the same value, or null.</summary>
    private static int? NonFiniteDisagreement(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if ((!double.IsFinite(expected[i]) || !double.IsFinite(actual[i])) && !TensorMetrics.SameNonFinite(expected[i], actual[i]))
            {
                return i;
            }
        }

        return null;
    }

    private static double[] ToDoubles(Tensor tensor)
    {
        var values = new double[tensor.ElementCount];
        switch (tensor.DType)
        {
            case TensorDType.Float32:
                Copy(tensor.AsFloat32(), values, v => v);
                break;
            case TensorDType.Float16:
                Copy(tensor.AsFloat16(), values, v => (double)v);
                break;
            case TensorDType.Int64:
                Copy(tensor.AsInt64(), values, v => v);
                break;
            case TensorDType.Int32:
                Copy(tensor.AsInt32(), values, v => v);
                break;
            case TensorDType.UInt8:
                Copy(tensor.AsUInt8(), values, v => v);
                break;
            case TensorDType.Bool:
                Copy(tensor.AsBool(), values, v => v ? 1 : 0);
                break;
            default:
                throw new NotSupportedException($"Tensors of {tensor.DType} cannot be compared.");
        }

        return values;
    }

    private static void Copy<T>(ReadOnlySpan<T> source, double[] target, Func<T, double> convert)
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = convert(source[i]);
        }
    }
}
