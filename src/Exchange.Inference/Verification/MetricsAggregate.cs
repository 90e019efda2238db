namespace Exchange.Inference.Verification;

/// <summary>Folds metrics of many tensors into the worst case of each metric.</summary>
internal static class MetricsAggregate
{
    public static TensorMetrics Worst(IEnumerable<TensorMetrics> metrics)
    {
        double relative = 0, maxAbs = 0, cosine = 1;
        double? top1 = null;
        foreach (var m in metrics)
        {
            relative = WorstHigh(relative, m.RelativeL2);
            maxAbs = WorstHigh(maxAbs, m.MaxAbs);
            cosine = double.IsNaN(m.Cosine) || double.IsNaN(cosine) ? double.NaN : Math.Min(cosine, m.Cosine);
            if (m.Top1Agreement is { } t)
            {
                top1 = top1 is { } current ? Math.Min(current, t) : t;
            }
        }

        return new TensorMetrics(relative, maxAbs, cosine, top1);
    }

    /// <summary>For each metric, the value closest to an honest run among <paramref name="metrics"/>.</summary>
    public static TensorMetrics Best(IEnumerable<TensorMetrics> metrics)
    {
        double relative = double.PositiveInfinity, maxAbs = double.PositiveInfinity, cosine = -1;
        double? top1 = null;
        foreach (var m in metrics)
        {
            relative = double.IsNaN(m.RelativeL2) ? relative : Math.Min(relative, m.RelativeL2);
            maxAbs = double.IsNaN(m.MaxAbs) ? maxAbs : Math.Min(maxAbs, m.MaxAbs);
            cosine = double.IsNaN(m.Cosine) ? cosine : Math.Max(cosine, m.Cosine);
            if (m.Top1Agreement is { } t)
            {
                top1 = top1 is { } current ? Math.Max(current, t) : t;
            }
        }

        return new TensorMetrics(relative, maxAbs, cosine, top1);
    }

    private static double WorstHigh(double current, double next) => double.IsNaN(next) || double.IsNaN(current) ? double.NaN : Math.Max(current, next);
}
