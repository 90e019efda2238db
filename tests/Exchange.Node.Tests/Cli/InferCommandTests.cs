using System.Text.Json;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Text;
using Exchange.Inference.Verification;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Cli;

/// <summary><c>exchange infer</c>, <c>model add</c> and <c>text search</c> as a user runs them: texts, multi-input models, search.</summary>
[Trait("Lane", "Slow")]
public sealed class InferCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Infer_text_prints_a_unit_length_384_float_embedding_and_a_text_file_gives_one_npy_per_line()
    {
        var printed = await Exchange("infer", "--model", "minilm", "--text", "A man is eating food.", "--device", "cpu", "--json");

        Assert.True(printed.ExitCode == 0, printed.Stderr);
        using var json = JsonDocument.Parse(printed.Stdout);
        var output = json.RootElement.GetProperty("outputs")[0].GetProperty("values")[0];
        Assert.Equal("embedding", output.GetProperty("name").GetString());
        var embedding = output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(384, embedding.Length);
        Assert.Equal(1, Math.Sqrt(embedding.Sum(v => (double)v * v)), 5);

        var texts = _folder.File("texts.jsonl");
        await File.WriteAllLinesAsync(texts, ["{\"text\": \"The sky is blue.\"}", "", "\"A man is eating food.\""]);
        var written = await Exchange("infer", "--model", "minilm", "--input", texts, "--out", _folder.File("out"), "--device", "cpu");

        Assert.True(written.ExitCode == 0, written.Stderr);
        Assert.Equal(["texts-line1.npy", "texts-line3.npy"], Directory.GetFiles(_folder.File("out")).Select(Path.GetFileName).Order());
        var fromFile = Npy.Read(await File.ReadAllBytesAsync(_folder.File("out/texts-line3.npy")));
        Assert.True(OutputComparator.Measure(Tensor.Create<float>(embedding, 1, 384), fromFile, false).Cosine > 0.99999);
    }

    [Fact]
    public async Task Model_add_takes_a_graph_of_six_mixed_dtype_inputs_and_infer_runs_it_from_a_folder_per_task()
    {
        var onnx = TinyOnnx.MixedInputs(3);
        var card = TinyOnnx.MixedInputsCard("mixed", onnx, 3);
        await File.WriteAllBytesAsync(_folder.File("mixed.onnx"), onnx);
        await File.WriteAllBytesAsync(_folder.File("card.json"), card.ToCanonicalJson());
        var task = Directory.CreateDirectory(_folder.File("task-a")).FullName;
        var inputs = TinyOnnx.MixedTask(3, 2);
        for (var i = 0; i < inputs.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(task, card.Inputs[i].Name + ".npy"), Npy.Write(inputs[i]));
        }

        var added = await Exchange("model", "add", _folder.File("mixed.onnx"), "--card", _folder.File("card.json"), "--models", _folder.File("models"));
        var run = await Exchange("infer", "--model", "mixed", "--input", task, "--out", _folder.File("out"), "--models", _folder.File("models"), "--device", "cpu");

        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Equal(card.ModelId.ToString(), added.Stdout.Trim());
        Assert.True(run.ExitCode == 0, run.Stderr);
        var (sum, twice) = TinyOnnx.MixedExpected(3, 2);
        Assert.Equal(sum, Npy.Read(await File.ReadAllBytesAsync(_folder.File("out/task-a.sum.npy"))).AsFloat32().ToArray());
        Assert.Equal(twice, Npy.Read(await File.ReadAllBytesAsync(_folder.File("out/task-a.twice.npy"))).AsInt64().ToArray());
    }

    [Fact]
    public async Task Text_search_ranks_the_embedded_lines_and_checks_them_against_local_embeddings()
    {
        var sentences = _folder.File("sentences.txt");
        var sample = await Exchange("text", "sample", "--count", "40", "--seed", "3", "--out", sentences);
        var embedded = await Exchange("infer", "--model", "minilm", "--input", sentences, "--out", _folder.File("emb"), "--device", "cpu");
        var search = await Exchange(
            "text", "search", "--model", "minilm", "--texts", sentences, "--embeddings", _folder.File("emb"),
            "--query", "Who won the football match?", "--top", "3", "--compare-local", "--device", "cpu", "--json");

        Assert.True(sample.ExitCode == 0 && embedded.ExitCode == 0, sample.Stderr + embedded.Stderr);
        Assert.True(search.ExitCode == 0, search.Stderr);
        using var json = JsonDocument.Parse(search.Stdout);
        var hits = json.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(3, hits.Count);
        // Sentence i is about topic i % 10, so football sentences are on lines 4, 14, 24 and 34.
        Assert.All(hits, h => Assert.Equal(4, h.GetProperty("line").GetInt32() % 10));
        var local = json.RootElement.GetProperty("local");
        Assert.Equal(40, local.GetProperty("passed").GetInt32());
        Assert.True(local.GetProperty("sameTop").GetBoolean());
        Assert.Equal("football", SyntheticSentences.Topics[3]);
    }

    private Task<ExchangeCli.Result> Exchange(params string[] args) =>
        ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("default-models") }, args);
}
