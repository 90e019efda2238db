using Exchange.Inference.Calibration;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Inference.Tests.Support;
using Exchange.Node.Client;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Client;

/// <summary>How the client turns input files into tasks: text lines tokenized per the card, folders of tensors for multi-input models.</summary>
public sealed class ClientTaskTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly ModelRegistry _registry;

    public ClientTaskTests() => _registry = new ModelRegistry(new ModelStore(_folder.File("models")));

    public void Dispose() => _folder.Dispose();

    [Fact]
    [Trait("Lane", "Slow")]
    public void Every_text_line_is_a_task_of_padded_int64_tokens_named_by_its_line()
    {
        var card = _registry.Resolve(BuiltInModels.MiniLm).Card;
        var texts = _folder.File("texts.txt");
        File.WriteAllLines(texts, ["Hello, world!", "", "Second text", .. Enumerable.Range(0, 9).Select(i => $"text {i}")]);
        var json = _folder.File("more.jsonl");
        File.WriteAllLines(json, ["\"a JSON string\"", "{\"text\": \"an object\", \"id\": 7}"]);

        var tasks = ClientTask.FromPaths([texts, json], card, _registry);

        Assert.Equal(13, tasks.Count);
        Assert.Equal(["texts-line01", "texts-line03", "texts-line04"], tasks.Take(3).Select(t => t.Stem));
        Assert.Equal(["more-line1", "more-line2"], tasks.Skip(11).Select(t => t.Stem));
        Assert.Equal("texts.txt line 3", tasks[1].Source);
        Assert.All(tasks, t => Assert.Equal(["int64[1, 128]", "int64[1, 128]", "int64[1, 128]"], t.Inputs.Select(i => i.ToString())));
        Assert.Equal([101, 7592, 1010, 2088, 999, 102, 0], tasks[0].Inputs[0].AsInt64()[..7].ToArray());
    }

    [Fact]
    public void A_jsonl_line_without_text_is_refused_with_its_line_number()
    {
        var card = _registry.Resolve(BuiltInModels.MiniLm).Card;
        var json = _folder.File("bad.jsonl");
        File.WriteAllLines(json, ["\"fine\"", "{\"title\": \"no text\"}"]);

        var error = Assert.Throws<InvalidDataException>(() => ClientTask.FromPaths([json], card, _registry));

        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Inputs_whose_names_share_a_stem_get_outputs_of_their_own()
    {
        var card = _registry.Resolve(BuiltInModels.ResNetPreprocess).Card;
        var png = SyntheticImages.Png(1, 3, 224, 224)[0];
        Directory.CreateDirectory(_folder.File("other"));
        foreach (var name in new[] { "grad.png", "grad.jpeg", "other/grad.png", "cat.png" })
        {
            File.WriteAllBytes(_folder.File(name), png);
        }

        var tasks = ClientTask.FromPaths([_folder.File("grad.png"), _folder.File("grad.jpeg"), _folder.File("other/grad.png"), _folder.File("cat.png")], card, _registry);

        Assert.Equal(["grad.png", "grad.jpeg", "grad.png-2", "cat"], tasks.Select(t => t.Stem));
    }

    [Fact]
    public void Text_tasks_whose_stems_clash_are_numbered()
    {
        var card = _registry.Resolve(BuiltInModels.MiniLm).Card;
        File.WriteAllText(_folder.File("a.txt"), "one");
        File.WriteAllText(_folder.File("a.jsonl"), "\"two\"");

        var tasks = ClientTask.FromPaths([_folder.File("a.txt"), _folder.File("a.jsonl")], card, _registry);

        Assert.Equal(["a-line1", "a-line1-2"], tasks.Select(t => t.Stem));
    }

    [Theory]
    [InlineData("nan.npy", "nan.npy: 'OriginalInput' element 5 is NaN; float32 inputs must be finite")]
    [InlineData("inf.npy", "inf.npy: 'OriginalInput' element 5 is -Inf; float32 inputs must be finite")]
    [InlineData("empty.npy", "empty.npy: 'OriginalInput' has 0 rows along its batch dimension; a task holds 1 to 64")]
    public void A_tensor_not_valid_for_the_model_is_refused_naming_the_file_and_the_problem(string name, string message)
    {
        var card = _registry.Resolve(BuiltInModels.ResNetPreprocess).Card;
        var values = new float[3 * 224 * 224];
        values[5] = name == "nan.npy" ? float.NaN : float.NegativeInfinity;
        var tensor = name == "empty.npy" ? Tensor.Create<float>(ReadOnlySpan<float>.Empty, 0, 3, 224, 224) : Tensor.Create<float>(values, 1, 3, 224, 224);
        File.WriteAllBytes(_folder.File(name), Npy.Write(tensor));
        File.WriteAllBytes(_folder.File("fine.png"), SyntheticImages.Png(1, 3, 224, 224)[0]);

        var error = Assert.Throws<InvalidDataException>(() => ClientTask.FromPaths([_folder.File("fine.png"), _folder.File(name)], card, _registry));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_folder_holds_one_npy_per_input_of_a_multi_input_model()
    {
        var onnx = TinyOnnx.MixedInputs(3);
        var card = TinyOnnx.MixedInputsCard("mixed", onnx, 3);
        var task = TinyOnnx.MixedTask(3, 4);
        var folder = Directory.CreateDirectory(_folder.File("task-7")).FullName;
        for (var i = 0; i < task.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, card.Inputs[i].Name + ".npy"), Npy.Write(task[i]));
        }

        var read = Assert.Single(ClientTask.FromPaths([folder], card, _registry));

        Assert.Equal("task-7", read.Stem);
        Assert.Equal(task, read.Inputs);
        File.Delete(Path.Combine(folder, "flags.npy"));
        Assert.Contains("flags.npy is missing", Assert.Throws<InvalidDataException>(() => ClientTask.FromPaths([folder], card, _registry)).Message);
        Assert.Contains("takes 6 inputs", Assert.Throws<InvalidDataException>(() => ClientTask.FromFile(Path.Combine(folder, "ids.npy"), card)).Message);
    }

    [Fact]
    public void Past_the_held_bytes_a_task_reads_its_file_again_checked_each_time_it_is_asked()
    {
        var card = _registry.Resolve(BuiltInModels.ResNetPreprocess).Card;
        var decoded = SyntheticImages.Png(5, 9, 224, 224).Select(png => ClientTask.FromImage("p.png", png, card).Inputs).ToList();
        var paths = decoded.Select((inputs, i) => _folder.File($"p{i}.npy")).ToList();
        for (var i = 0; i < paths.Count; i++)
        {
            File.WriteAllBytes(paths[i], Npy.Write(decoded[i][0]));
        }

        var taskBytes = decoded[0].Sum(t => (long)t.Data.Length);

        var tasks = ClientTask.FromPaths(paths, card, _registry, heldInputBytes: (2 * taskBytes) + 1);

        Assert.Equal([true, true, false, false, false], tasks.Select(t => t.Held));
        Assert.All(ClientTask.FromPaths(paths, card, _registry), t => Assert.True(t.Held));
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], tasks.Select(t => t.Stem));
        for (var i = 0; i < tasks.Count; i++)
        {
            Assert.Equal(decoded[i], tasks[i].Inputs);
        }

        // A released task is checked when it is read: the file changed since, and no longer fits.
        var values = decoded[3][0].AsFloat32().ToArray();
        values[5] = float.NaN;
        File.WriteAllBytes(paths[3], Npy.Write(Tensor.Create<float>(values, 1, 3, 224, 224)));
        var error = Assert.Throws<InvalidDataException>(() => tasks[3].Inputs);
        Assert.Equal("p3.npy: 'OriginalInput' element 5 is NaN; float32 inputs must be finite", error.Message);
        ClientTask.EnsureValid(tasks, card);
        Assert.Equal(decoded[2], tasks[2].Inputs);
    }

    [Fact]
    public void A_bad_file_past_the_held_bytes_is_refused_before_anything_is_uploaded()
    {
        var card = _registry.Resolve(BuiltInModels.ResNetPreprocess).Card;
        File.WriteAllBytes(_folder.File("fine.png"), SyntheticImages.Png(1, 3, 224, 224)[0]);
        File.WriteAllBytes(_folder.File("bad.png"), [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => ClientTask.FromPaths([_folder.File("fine.png"), _folder.File("bad.png")], card, _registry, heldInputBytes: 0));

        Assert.StartsWith("bad.png: ", error.Message);
    }

    [Fact]
    public void The_demo_workload_is_sentences_for_a_text_model_and_pictures_for_an_image_model()
    {
        var text = ClientTask.Synthetic(_registry.Resolve(BuiltInModels.MiniLm).Card, _registry, 3, 7);
        var images = ClientTask.Synthetic(_registry.Resolve(BuiltInModels.ResNetPreprocess).Card, _registry, 2, 7);

        Assert.Equal(["sentence-0001", "sentence-0002", "sentence-0003"], text.Select(t => t.Stem));
        Assert.Equal(3, text[0].Inputs.Count);
        Assert.Equal(["image-0000", "image-0001"], images.Select(t => t.Stem));
        Assert.Equal("float32[1, 3, 224, 224]", images[0].Inputs[0].ToString());
    }
}
