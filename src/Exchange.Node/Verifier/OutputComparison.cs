using System.Globalization;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Verification;

namespace Exchange.Node.Verifier;

/// <summary>Applies a model card's verification policy (design §5) to a provider's outputs and the verifier's own.</summary>
public static class OutputComparison
{
    /// <summary>Whether every output of a task passes; the detail names the first failure or the worst distance.</summary>
    public static (bool Pass, string Detail) Compare(ModelCard card, IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var details = new List<string>();
        for (var o = 0; o < expected.Count; o++)
        {
            var name = card.Outputs[o].Name;
            if (!expected[o].Shape.SequenceEqual(actual[o].Shape) || expected[o].DType != actual[o].DType)
            {
                return (false, $"output '{name}' is {actual[o]}, expected {expected[o]}");
            }

            if (card.Verification is TolerancePolicy tolerance && expected[o].DType == TensorDType.Float32)
            {
                var classLength = card.Classifier ? (int)expected[o].Shape[^1] : 0;
                var metrics = TensorMetrics.Measure(ToDoubles(expected[o]), ToDoubles(actual[o]), classLength);
                var problem = Violation(tolerance, metrics);
                if (problem is not null)
                {
                    return (false, $"output '{name}': {problem}");
                }

                details.Add(string.Create(CultureInfo.InvariantCulture, $"'{name}' relL2 {metrics.RelativeL2:G3} maxAbs {metrics.MaxAbs:G3} cos {metrics.Cosine:G9}"));
            }
            else if (Keccak.Hash(Npy.Write(expected[o])) != Keccak.Hash(Npy.Write(actual[o])))
            {
                return (false, $"output '{name}' differs from the recomputed one (exact policy)");
            }
            else
            {
                details.Add($"'{name}' identical");
            }
        }

        return (true, string.Join("; ", details));
    }

    private static string? Violation(TolerancePolicy policy, TensorMetrics m)
    {
        // Negated comparisons so that NaN fails every bound.
        if (!(m.RelativeL2 <= policy.MaxRelL2))
        {
            return string.Create(CultureInfo.InvariantCulture, $"relative L2 error {m.RelativeL2:G3} > {policy.MaxRelL2:G3}");
        }

        if (!(m.MaxAbs <= policy.MaxAbs))
        {
            return string.Create(CultureInfo.InvariantCulture, $"max abs error {m.MaxAbs:G3} > {policy.MaxAbs:G3}");
        }

        if (!(m.Cosine >= policy.MinCosine))
        {
            return string.Create(CultureInfo.InvariantCulture, $"cosine {m.Cosine:G9} < {policy.MinCosine:G9}");
        }

        if (policy.MinTop1Agreement is { } top1 && !(m.Top1Agreement >= top1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"top-1 agreement {m.Top1Agreement:G3} < {top1:G3}");
        }

        return null;
    }

    private static double[] ToDoubles(Tensor tensor)
    {
        var values = tensor.AsFloat32();
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
