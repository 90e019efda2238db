using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Inference.Onnx;
using Exchange.Inference.Text;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace Exchange.Inference.Tests.Text;

[Collection(EngineGroup.Name)]
public class MiniLmTests(EngineFixture fixture)
{
    [Fact]
    public void Card_takes_three_int64_token_rows_and_gives_a_384_float_embedding()
    {
        var card = fixture.MiniLm.Card;

        Assert.Equal(["input_ids int64[?, 128]", "attention_mask int64[?, 128]", "token_type_ids int64[?, 128]"], card.Inputs.Select(i => $"{i.Name} {i}"));
        Assert.Equal("embedding float32[?, 384]", $"{card.Outputs[0].Name} {card.Outputs[0]}");
        Assert.Equal(BuiltInModels.MiniLmPolicy, card.Verification);
        Assert.False(card.Classifier);
    }

    [Fact]
    public async Task Embedding_is_one_unit_length_row_of_384_floats()
    {
        var output = Assert.Single(await EmbedAsync("A man is eating food."));

        Assert.Equal("float32[1, 384]", output.ToString());
        Assert.Equal(1, Norm(output.AsFloat32()), 5);
    }

    [Fact]
    public async Task Pooling_in_the_graph_matches_mean_pooling_of_the_unpadded_encoder_output()
    {
        const string text = "The quick brown fox jumps over the lazy dog.";
        var tokens = TextTokenizer.For(fixture.Registry, fixture.MiniLm.Card).Encode(text);
        var pooled = (await EmbedAsync(text))[0].AsFloat32().ToArray();

        // The packaged encoder, unpadded, with the pooling sentence-transformers applies written out here.
        using var session = new InferenceSession(Path.Combine(BuiltInModels.Folder, "MiniLM.onnx"));
        long[] shape = [1, tokens.Length];
        using var ids = OrtValue.CreateTensorValueFromMemory(tokens.Ids[..tokens.Length], shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(tokens.Mask[..tokens.Length], shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[tokens.Length], shape);
        using var outputs = session.Run(new RunOptions(), ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        var states = outputs[0].GetTensorDataAsSpan<float>();
        var mean = new float[384];
        for (var t = 0; t < tokens.Length; t++)
        {
            for (var d = 0; d < mean.Length; d++)
            {
                mean[d] += states[(t * 384) + d] / tokens.Length;
            }
        }

        var norm = Norm(mean);
        var expected = mean.Select(v => (float)(v / norm)).ToArray();
        var metrics = OutputComparator.Measure(Tensor.Create<float>(expected, 1, 384), Tensor.Create<float>(pooled, 1, 384), classifier: false);
        Assert.True(metrics.MaxAbs < 1e-5, $"max abs {metrics.MaxAbs}");
        Assert.True(metrics.Cosine > 0.9999999, $"cosine {metrics.Cosine}");
    }

    [Fact]
    public async Task Sentences_about_the_same_thing_are_closer_than_sentences_about_different_things()
    {
        var eating = (await EmbedAsync("A man is eating food."))[0];
        var bread = (await EmbedAsync("A man is eating a piece of bread."))[0];
        var market = (await EmbedAsync("The stock market fell sharply today."))[0];

        var close = OutputComparator.Measure(eating, bread, false).Cosine;
        var far = OutputComparator.Measure(eating, market, false).Cosine;
        Assert.True(close > 0.6, $"related {close}");
        Assert.True(far < 0.2, $"unrelated {far}");
    }

    [Fact]
    public async Task Tasks_batched_together_give_each_text_its_own_embedding()
    {
        var texts = SyntheticSentences.Generate(6, 3);
        var alone = new List<Tensor>();
        foreach (var text in texts)
        {
            alone.Add((await EmbedAsync(text))[0]);
        }

        var together = await Task.WhenAll(texts.Select(EmbedAsync));

        for (var i = 0; i < texts.Count; i++)
        {
            var comparison = OutputComparator.Compare(fixture.MiniLm.Card, [alone[i]], together[i]);
            Assert.True(comparison.Pass, $"{texts[i]}: {comparison.Outputs[0].Reason}");
        }

        Assert.True(OutputComparator.Measure(alone[0], alone[1], false).Cosine < 0.99, "different texts differ");
    }

    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Cheaper_stand_in_skips_the_last_feed_forward_block_and_fails_the_card_policy()
    {
        var card = fixture.MiniLm.Card;
        var (edit, onnx) = CheaperModels.Derive(fixture.Registry.ReadModelFile(card));
        var standIn = card with { Name = "minilm-cheat", Model = new ModelFile("minilm-cheat.onnx", Keccak.Hash(onnx)) };
        fixture.Registry.Add(onnx, standIn);
        var inputs = TextTokenizer.For(fixture.Registry, card).ToInputs(card, "The central bank raises interest rates.");

        var honest = await fixture.Engine.RunAsync(card, inputs, CancellationToken.None);
        var cheated = await fixture.Engine.RunAsync(standIn, inputs, CancellationToken.None);

        Assert.Equal(CheaperModels.LastResidualBlockSkipped, edit);
        Assert.False(OutputComparator.Compare(card, honest, cheated).Pass);
    }

    private Task<Tensor[]> EmbedAsync(string text)
    {
        var card = fixture.MiniLm.Card;
        return fixture.Engine.RunAsync(card, TextTokenizer.For(fixture.Registry, card).ToInputs(card, text), CancellationToken.None);
    }

    private static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }

        return Math.Sqrt(sum);
    }
}
