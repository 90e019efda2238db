using System.Runtime.InteropServices;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Devices;
using Exchange.Inference.Images;
using Exchange.Inference.Models;
using Exchange.Inference.Runtime;
using Exchange.Inference.Text;
using Exchange.Inference.Verification;

namespace Exchange.Inference.Calibration;

/// <summary>
/// Calibrates a model card's verification policy: runs honest variants (other thread
/// counts, graph optimisation off or basic, batching, CUDA where there is a GPU) and the cheats a
/// provider could submit (random, perturbed, another input's, int8-rounded outputs; a truncated and
/// an int8-weight model; for text, the tokens shuffled), and reports whether the card's policy passes all honest runs and fails every
/// cheat, with the margin on each side.
/// </summary>
public static class ModelCalibrator
{
    /// <summary>Calibrates the registry's model <paramref name="entry"/> against its card's policy.</summary>
    public static CalibrationReport Calibrate(ModelRegistry registry, ModelEntry entry, CalibrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Tasks, 2);
        var card = entry.Card;
        using var reference = OnnxModel.Load(registry.ReadModelFile(card), new SessionSettings(DeviceSpec.Cpu));
        GraphContract.Check(card, reference.Session);
        var tasks = Inputs(registry, card, options);
        var runner = new VariantRunner(reference, tasks.Select(t => t.Select(x => x.Data).ToArray()).ToArray(), options.Seed);
        var expected = runner.Reference.Select(task => ToTensors(card, task)).ToArray();

        var honest = runner.Honest().Select(v => Judge(card, expected, v)).ToList();
        if (options.IncludeCuda)
        {
            try
            {
                honest.Add(Judge(card, expected, runner.Cuda()));
            }
            catch (CudaUnavailableException)
            {
                // No GPU here: the CUDA variant is measured on a GPU machine (docs/verification.md).
            }
        }

        var cheats = runner.Cheats().Select(v => Judge(card, expected, v)).ToList();
        if (card.Preprocessing.Kind == TextPreprocessing.Kind)
        {
            var random = new Random(options.Seed);
            var shuffled = tasks.Select(task => TextCheats.ShuffleTokens(card, task, random).Select(t => t.Data).ToArray()).ToArray();
            cheats.Add(Judge(card, expected, runner.OnInputs("input-tokens-shuffled", shuffled)));
        }

        var insideNoise = runner.Float16Rounding() is { } rounding ? [Judge(card, expected, rounding)] : new List<CalibrationEntry>();
        return new CalibrationReport(
            card.Name,
            honest,
            cheats,
            honest.All(h => h.Pass),
            cheats.All(c => !c.Pass),
            Margin(card.Verification, honest, cheats, insideNoise));
    }

    /// <summary>
    /// The calibration inputs: synthetic pictures through the card's image preprocessing, synthetic
    /// sentences through its text preprocessing, or seeded random tensors.
    /// </summary>
    internal static IReadOnlyList<Tensor[]> Inputs(ModelRegistry registry, ModelCard card, CalibrationOptions options)
    {
        var random = new Random(options.Seed);
        if (card.Preprocessing.Kind == TextPreprocessing.Kind)
        {
            var tokenizer = TextTokenizer.For(registry, card);
            return SyntheticSentences.Generate(options.Tasks, options.Seed).Select(text => tokenizer.ToInputs(card, text)).ToArray();
        }

        if (card.Preprocessing.Kind == ImagePreprocessing.Kind)
        {
            var image = ImagePreprocessing.From(card.Preprocessing);
            var spec = card.Inputs[0];
            return SyntheticImages.Png(options.Tasks, options.Seed)
                .Select((png, i) => new[] { image.ToTensor(png, $"calibration image {i}", spec) })
                .ToArray();
        }

        return Enumerable.Range(0, options.Tasks)
            .Select(_ => card.Inputs.Select(spec => RandomTensor(spec, random)).ToArray())
            .ToArray();
    }

    private static long[] OneRow(TensorSpec spec) => spec.Shape.Select(d => d == TensorSpec.DynamicDimension ? 1 : d).ToArray();

    private static Tensor RandomTensor(TensorSpec spec, Random random)
    {
        var shape = OneRow(spec);
        var count = (int)shape.Aggregate(1L, (a, d) => a * d);
        var bytes = new byte[count * spec.DType.Size()];
        switch (spec.DType)
        {
            case TensorDType.Float32:
                var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
                for (var i = 0; i < floats.Length; i++)
                {
                    floats[i] = random.NextSingle();
                }

                break;
            case TensorDType.Bool:
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)random.Next(2);
                }

                break;
            default:
                // Small non-negative integers are valid indices and token ids for most integer inputs.
                for (var i = 0; i < count; i++)
                {
                    bytes[i * spec.DType.Size()] = (byte)random.Next(10);
                }

                break;
        }

        return new Tensor(spec.DType, shape, bytes);
    }

    private static Tensor[] ToTensors(ModelCard card, byte[][] outputs) =>
        outputs.Select((bytes, o) =>
        {
            var spec = card.Outputs[o];
            var shape = spec.Shape.ToArray();
            if (shape.Length > 0 && shape[0] == TensorSpec.DynamicDimension)
            {
                shape[0] = 1;
            }

            return new Tensor(spec.DType, shape, bytes);
        }).ToArray();

    private static CalibrationEntry Judge(ModelCard card, Tensor[][] expected, CalibrationVariant variant)
    {
        var results = expected.Select((reference, t) => OutputComparator.Compare(card, reference, ToTensors(card, variant.Outputs[t]))).ToList();
        var metrics = expected.SelectMany((reference, t) => reference.Select((tensor, o) =>
            OutputComparator.Measure(tensor, ToTensors(card, variant.Outputs[t])[o], card.Classifier)));
        return new CalibrationEntry(variant.Name, MetricsAggregate.Worst(metrics), results.All(r => r.Pass));
    }

    private static CalibrationMargin Margin(VerificationPolicy policy, List<CalibrationEntry> honest, List<CalibrationEntry> cheats, List<CalibrationEntry> insideNoise)
    {
        var honestWorst = MetricsAggregate.Worst(honest.Select(h => h.Metrics));
        var closest = MetricsAggregate.Best(cheats.Select(c => c.Metrics));
        if (policy is not TolerancePolicy tolerance)
        {
            var none = new Dictionary<string, double?>();
            return new CalibrationMargin(new Dictionary<string, object?> { ["policy"] = policy.Name }, honestWorst, closest, none, none, insideNoise);
        }

        return new CalibrationMargin(
            new Dictionary<string, object?>
            {
                ["policy"] = tolerance.Name,
                ["maxRelL2"] = tolerance.MaxRelL2,
                ["maxAbs"] = tolerance.MaxAbs,
                ["minCosine"] = tolerance.MinCosine,
                ["minTop1Agreement"] = tolerance.MinTop1Agreement,
            },
            honestWorst,
            closest,
            new Dictionary<string, double?>
            {
                ["relativeL2"] = Ratio(tolerance.MaxRelL2, honestWorst.RelativeL2),
                ["maxAbs"] = Ratio(tolerance.MaxAbs, honestWorst.MaxAbs),
                ["cosine"] = Ratio(1 - tolerance.MinCosine, 1 - honestWorst.Cosine),
            },
            new Dictionary<string, double?>
            {
                ["relativeL2"] = Ratio(closest.RelativeL2, tolerance.MaxRelL2),
                ["maxAbs"] = Ratio(closest.MaxAbs, tolerance.MaxAbs),
                ["cosine"] = Ratio(1 - closest.Cosine, 1 - tolerance.MinCosine),
            },
            insideNoise);
    }

    private static double? Ratio(double numerator, double denominator)
    {
        var ratio = numerator / denominator;
        return denominator > 0 && double.IsFinite(ratio) ? Math.Round(ratio, 3) : null;
    }
}
