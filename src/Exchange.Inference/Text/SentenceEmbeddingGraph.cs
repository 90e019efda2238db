using Exchange.Core.Tensors;
using Exchange.Inference.Onnx;

namespace Exchange.Inference.Text;

/// <summary>
/// Turns a BERT-style encoder graph (token ids, attention mask and token type ids in; per-token
/// hidden states out) into a sentence-embedding graph: the sequence pinned at a maximum length,
/// then mean pooling over the tokens the attention mask keeps and L2 normalisation, as
/// sentence-transformers computes them (<c>sum(h·m) / max(sum(m), 1e-9)</c>, then
/// <c>x / max(‖x‖₂, 1e-12)</c>). The pooling is in the graph, so the ONNX file's hash, and with it
/// the model id, pins it; whatever the encoder computed besides the hidden states is dropped.
/// </summary>
internal static class SentenceEmbeddingGraph
{
    /// <summary>The output of the pooled graph: one unit-length vector per text.</summary>
    public const string Output = "embedding";

    private const string Prefix = "sentence_pooling/";

    /// <summary>Builds the sentence-embedding graph.</summary>
    /// <param name="encoder">The encoder's ONNX bytes; every input has the dimensions [batch, sequence].</param>
    /// <param name="inputs">The encoder's inputs, whose sequence dimension is pinned.</param>
    /// <param name="attentionMask">The input holding 1 for real tokens and 0 for padding.</param>
    /// <param name="hiddenStates">The encoder's per-token output, [batch, sequence, hidden].</param>
    /// <param name="hiddenSize">The hidden size: the embedding's length.</param>
    /// <param name="maxLength">The sequence length every input is padded to.</param>
    public static byte[] Build(byte[] encoder, IReadOnlySet<string> inputs, string attentionMask, string hiddenStates, int hiddenSize, int maxLength)
    {
        var pinned = OnnxModelEditor.FixDimension(encoder, inputs, axis: 1, maxLength);
        string P(string name) => Prefix + name;
        ProtoField[] head =
        [
            OnnxProto.Int64Initializer(P("token_axis"), 1),
            OnnxProto.Int64Initializer(P("feature_axis"), 2),
            OnnxProto.FloatInitializer(P("min_count"), [], 1e-9f),
            OnnxProto.FloatInitializer(P("min_norm"), [], 1e-12f),
            OnnxProto.Node("Cast", [attentionMask], [P("mask")], P("cast_mask"), OnnxProto.IntAttribute("to", OnnxProto.DataType(TensorDType.Float32))),
            OnnxProto.Node("Unsqueeze", [P("mask"), P("feature_axis")], [P("mask3d")], P("unsqueeze_mask")),
            OnnxProto.Node("Mul", [hiddenStates, P("mask3d")], [P("masked")], P("mask_states")),
            OnnxProto.Node("ReduceSum", [P("masked"), P("token_axis")], [P("sum")], P("sum_tokens"), OnnxProto.IntAttribute("keepdims", 0)),
            OnnxProto.Node("ReduceSum", [P("mask3d"), P("token_axis")], [P("count")], P("count_tokens"), OnnxProto.IntAttribute("keepdims", 0)),
            OnnxProto.Node("Max", [P("count"), P("min_count")], [P("count_clamped")], P("clamp_count")),
            OnnxProto.Node("Div", [P("sum"), P("count_clamped")], [P("mean")], P("mean")),
            OnnxProto.Node("Mul", [P("mean"), P("mean")], [P("square")], P("square")),
            OnnxProto.Node("ReduceSum", [P("square"), P("token_axis")], [P("sum_square")], P("sum_square"), OnnxProto.IntAttribute("keepdims", 1)),
            OnnxProto.Node("Sqrt", [P("sum_square")], [P("norm")], P("norm")),
            OnnxProto.Node("Max", [P("norm"), P("min_norm")], [P("norm_clamped")], P("clamp_norm")),
            OnnxProto.Node("Div", [P("mean"), P("norm_clamped")], [Output], P("normalise")),
        ];
        return OnnxModelEditor.Extend(pinned, head, [OnnxProto.Output(Output, TensorDType.Float32, -1, hiddenSize)]);
    }
}
