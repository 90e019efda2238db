namespace Exchange.Inference.Verification;

/// <summary>How far one output tensor is from the reference run's tensor.</summary>
/// <param name="RelativeL2">‖actual − expected‖₂ / ‖expected‖₂ (0 when both are zero).</param>
/// <param name="MaxAbs">The largest absolute element difference.</param>
/// <param name="Cosine">The cosine similarity of the two tensors as vectors (1 when both are zero).</param>
/// <param name="Top1Agreement">For classifiers, the fraction of rows (all dimensions but the last) whose argmax agrees; null otherwise.</param>
public sealed record TensorMetrics(double RelativeL2, double MaxAbs, double Cosine, double? Top1Agreement)
{
    /// <summary>
    /// Measures <paramref name="actual"/> against <paramref name="expected"/>. An element that is NaN
    /// in both, or the same infinity in both, is equal and left out of the sums (it has no distance);
    /// any other non-finite element makes every metric fail its bound. Top-1 agreement reads the
    /// values as they are.
    /// </summary>
    /// <param name="expected">The reference values.</param>
    /// <param name="actual">The values under test; same length.</param>
    /// <param name="classLength">The length of the last dimension, for top-1 agreement; 0 when not a classifier.</param>
    public static TensorMetrics Measure(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, int classLength)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"Tensors of {expected.Length} and {actual.Length} elements cannot be compared.", nameof(actual));
        }

        double diff = 0, maxAbs = 0, dot = 0, normExpected = 0, normActual = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (SameNonFinite(expected[i], actual[i]))
            {
                continue;
            }

            var d = actual[i] - expected[i];
            diff += d * d;
            maxAbs = double.IsNaN(d) ? double.NaN : Math.Max(maxAbs, Math.Abs(d));
            dot += expected[i] * actual[i];
            normExpected += expected[i] * expected[i];
            normActual += actual[i] * actual[i];
        }

        var relative = normExpected > 0 ? Math.Sqrt(diff) / Math.Sqrt(normExpected) : diff == 0 ? 0 : double.PositiveInfinity;
        var cosine = normExpected > 0 && normActual > 0
            ? dot / (Math.Sqrt(normExpected) * Math.Sqrt(normActual))
            : normExpected == normActual ? 1 : 0;
        return new TensorMetrics(relative, maxAbs, cosine, classLength > 0 ? Top1(expected, actual, classLength) : null);
    }

    /// <summary>Whether both values are NaN, or both the same infinity: equal outputs that no distance measures.</summary>
    /// <param name="expected">The reference value.</param>
    /// <param name="actual">The value under test.</param>
    /// <returns>True for NaN and NaN (any payloads), +∞ and +∞, −∞ and −∞.</returns>
    public static bool SameNonFinite(double expected, double actual) =>
        (double.IsNaN(expected) && double.IsNaN(actual)) || (double.IsInfinity(expected) && expected == actual);

    private static double Top1(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, int classLength)
    {
        if (expected.Length == 0 || expected.Length % classLength != 0)
        {
            throw new ArgumentException($"A classifier output of {expected.Length} elements is not a whole number of rows of {classLength} classes.", nameof(classLength));
        }

        var rows = expected.Length / classLength;
        var agree = 0;
        for (var r = 0; r < rows; r++)
        {
            var start = r * classLength;
            if (ArgMax(expected.Slice(start, classLength)) == ArgMax(actual.Slice(start, classLength)))
            {
                agree++;
            }
        }

        return (double)agree / rows;
    }

    private static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            // NaN never wins, and a NaN at the front loses to any number.
            if (row[i] > row[best] || double.IsNaN(row[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
