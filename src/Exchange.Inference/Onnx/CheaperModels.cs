namespace Exchange.Inference.Onnx;

/// <summary>
/// The cheaper stand-in of a model that a dishonest provider could run instead of the real one (the
/// same edits calibration checks the verification policy against), for the provider's
/// <c>--cheat other-model</c> demo mode. The stand-in keeps the graph's inputs and outputs, so its
/// results look like the real model's to everyone but a verifier who re-runs the real model.
/// </summary>
public static class CheaperModels
{
    /// <summary>What <see cref="Derive"/> does to a graph with a residual block: skips the last one (less compute).</summary>
    public const string LastResidualBlockSkipped = "last-residual-block-skipped";

    /// <summary>
    /// What <see cref="Derive"/> does to any other graph: rounds every float weight to 8 bits, as a
    /// quantised model would (its outputs, not its speed: the graph still computes in float32).
    /// </summary>
    public const string WeightsInt8 = "weights-int8";

    /// <summary>
    /// Derives the stand-in of <paramref name="model"/> (ONNX bytes): the last residual block skipped
    /// where the graph has one, otherwise its weights rounded to int8.
    /// </summary>
    /// <returns>The edit applied (<see cref="LastResidualBlockSkipped"/> or <see cref="WeightsInt8"/>) and the edited ONNX bytes.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model with a graph.</exception>
    public static (string Edit, byte[] Onnx) Derive(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return (LastResidualBlockSkipped, OnnxCheatModels.SkipLastResidualBlock(model));
        }
        catch (InvalidDataException)
        {
            // No residual block to cut: quantising the weights is the cheat left for this graph.
            return (WeightsInt8, OnnxCheatModels.QuantizeWeightsToInt8(model));
        }
    }
}
