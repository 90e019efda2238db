using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Inference.Onnx;
using Exchange.Inference.Text;
using Exchange.TestSupport;

namespace Exchange.Inference.Tests.Text;

/// <summary>A stored text model with its own vocabulary: the card pins the vocabulary by hash, the store keeps it beside the graph.</summary>
public sealed class TextModelStoreTests : IDisposable
{
    private const int Length = 8;
    private static readonly byte[] Vocabulary = Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n");

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_text_card_is_stored_only_with_its_vocabulary_and_tokenizes_from_the_store()
    {
        var (onnx, card) = TokenEcho();
        var registry = new ModelRegistry(new ModelStore(_folder.Path));

        var missing = Assert.Throws<ModelCardException>(() => registry.Add(onnx, card));
        registry.Add(onnx, card, [Vocabulary]);
        var fresh = new ModelRegistry(new ModelStore(_folder.Path));
        var tokens = TextTokenizer.For(fresh, fresh.Resolve("echo").Card).Encode("Hello worlds, hello!");

        Assert.Equal("preprocessing", missing.Field);
        Assert.Equal([2, 5, 6, 7, 1, 5, 1, 3], tokens.Ids);
        Assert.False(tokens.Truncated);
        Assert.True(TextTokenizer.For(fresh, fresh.Resolve("echo").Card).Encode("hello hello hello hello hello hello hello").Truncated);
    }

    [Fact]
    public void A_text_card_whose_inputs_are_not_the_ones_its_preprocessing_fills_is_refused()
    {
        var (onnx, card) = TokenEcho();
        var text = TextPreprocessing.From(card.Preprocessing) with { TypeIdsInput = "token_type_ids" };
        var registry = new ModelRegistry(new ModelStore(_folder.Path));

        var error = Assert.Throws<ModelCardException>(() => registry.Add(onnx, card with { Preprocessing = text.ToPreprocessing() }, [Vocabulary]));

        Assert.Contains("token_type_ids", error.Message);
    }

    /// <summary>A graph that returns its token ids as floats, and its text card over <see cref="Vocabulary"/>.</summary>
    private static (byte[] Onnx, ModelCard Card) TokenEcho()
    {
        var onnx = OnnxProto.Model(
            "echo",
            [
                OnnxProto.Input("ids", TensorDType.Int64, -1, Length),
                OnnxProto.Input("mask", TensorDType.Int64, -1, Length),
                OnnxProto.Node("Mul", ["ids", "mask"], ["kept"]),
                OnnxProto.Node("Cast", ["kept"], ["echo"], null, OnnxProto.IntAttribute("to", OnnxProto.DataType(TensorDType.Float32))),
                OnnxProto.Output("echo", TensorDType.Float32, -1, Length),
            ],
            opset: 13);
        var text = new TextPreprocessing(new ModelFile("vocab.txt", Keccak.Hash(Vocabulary)), LowerCase: true, Length, "ids", "mask", null);
        var card = new ModelCard(
            "echo",
            "1",
            null,
            new ModelFile("echo.onnx", Keccak.Hash(onnx)),
            new[] { new TensorSpec("ids", TensorDType.Int64, new long[] { -1, Length }), new TensorSpec("mask", TensorDType.Int64, new long[] { -1, Length }) },
            new[] { new TensorSpec("echo", TensorDType.Float32, new long[] { -1, Length }) },
            text.ToPreprocessing(),
            Classifier: false,
            ExactPolicy.Instance);
        return (onnx, card);
    }
}
