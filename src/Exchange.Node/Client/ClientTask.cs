using System.Globalization;
using Exchange.Core.Diagnostics;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Images;
using Exchange.Inference.Models;
using Exchange.Inference.Text;

namespace Exchange.Node.Client;

/// <summary>One task a client wants run: where its input came from and the input tensors, in the card's order.</summary>
/// <param name="Source">A name for messages (the input file's name, with the line for a text).</param>
/// <param name="Inputs">The model's inputs.</param>
/// <param name="OutputStem">The start of the task's output file names; null for the input file's name without its extension.</param>
public sealed record ClientTask(string Source, IReadOnlyList<Tensor> Inputs, string? OutputStem = null)
{
    /// <summary>The start of the task's output file names, e.g. <c>cat</c> for <c>cat.png</c> or <c>texts-line007</c> for line 7 of <c>texts.jsonl</c>.</summary>
    public string Stem => OutputStem ?? Path.GetFileNameWithoutExtension(Source);

    /// <summary>
    /// The tasks of the client's input paths, in order. For a card with <c>text</c> preprocessing,
    /// every line of every file is a task (see <see cref="TextFiles"/>); otherwise each path is one
    /// task: an image (PNG, JPEG) preprocessed as the card says, a <c>.npy</c> file taken as the
    /// model's single input, or a folder with one <c>&lt;input name&gt;.npy</c> per model input
    /// (tensors prepared elsewhere, for any card). Every task is valid for the card
    /// (<see cref="TaskInputs"/>), and every task has its own output stem (<see cref="UniqueStems"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">An input is not valid for the card; the message starts with its file.</exception>
    public static IReadOnlyList<ClientTask> FromPaths(IEnumerable<string> paths, ModelCard card, ModelRegistry registry)
    {
        using var _ = StageMeter.Measure(Stage.ClientPreparation);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(card);
        var text = card.Preprocessing.Kind == TextPreprocessing.Kind;
        var tasks = paths.SelectMany(path => text && !Directory.Exists(path) ? FromTextFile(path, card, Tokenizer(card, registry)) : [FromFile(path, card)]).ToList();
        EnsureValid(tasks, card);
        return UniqueStems(tasks);
    }

    /// <summary>Refuses the first task that is not valid for the card (<see cref="TaskInputs"/>), naming its source and the problem.</summary>
    /// <exception cref="InvalidDataException">A task is not valid for the card.</exception>
    public static void EnsureValid(IEnumerable<ClientTask> tasks, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            if (TaskInputs.Problem(card, task.Inputs) is { } problem)
            {
                throw new InvalidDataException($"{task.Source}: {problem}");
            }
        }
    }

    /// <summary>
    /// The tasks with output stems that differ even where their inputs' names do not: tasks whose
    /// stems clash (<c>grad.png</c> and <c>grad.jpeg</c>) take the whole file name
    /// (<c>grad.png</c>, <c>grad.jpeg</c>), and names still equal (the same name in two folders)
    /// a counter (<c>grad.png</c>, <c>grad.png-2</c>). Stems that do not clash stay as they are.
    /// </summary>
    public static IReadOnlyList<ClientTask> UniqueStems(IReadOnlyList<ClientTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var clashing = tasks.GroupBy(t => t.Stem, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var renamed = tasks.Select(t => clashing.Contains(t.Stem) && t.OutputStem is null ? t with { OutputStem = Path.GetFileName(t.Source) } : t).ToList();
        var taken = new HashSet<string>(renamed.Select(t => t.Stem), StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < renamed.Count; i++)
        {
            var stem = renamed[i].Stem;
            if (seen.Add(stem))
            {
                continue;
            }

            var n = 2;
            while (taken.Contains(string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}")))
            {
                n++;
            }

            var unique = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}");
            taken.Add(unique);
            seen.Add(unique);
            renamed[i] = renamed[i] with { OutputStem = unique };
        }

        return renamed;
    }

    /// <summary>Reads a task from a file: an image (PNG, JPEG…) is preprocessed as the card says, a <c>.npy</c> file is taken as the model's single input, a folder holds one <c>&lt;input name&gt;.npy</c> per input.</summary>
    /// <exception cref="InvalidDataException">The file does not fit the card.</exception>
    public static ClientTask FromFile(string path, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (Directory.Exists(path))
        {
            return FromFolder(path, card);
        }

        var bytes = File.ReadAllBytes(path);
        var name = Path.GetFileName(path);
        return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? FromNpy(name, bytes, card) : FromImage(name, bytes, card);
    }

    /// <summary>A task from an encoded image, preprocessed as the card's <c>image</c> preprocessing says.</summary>
    /// <exception cref="InvalidDataException">The card takes no image or the bytes are no image.</exception>
    public static ClientTask FromImage(string source, byte[] encoded, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (card.Inputs.Count != 1)
        {
            throw new InvalidDataException($"{source}: model '{card.Name}' takes {card.Inputs.Count} inputs; give a folder with one .npy file per input instead of an image");
        }

        try
        {
            return new ClientTask(source, [ImagePreprocessing.From(card.Preprocessing).ToTensor(encoded, source, card.Inputs[0])]);
        }
        catch (Exception e) when (e is ImageInputException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>A task from one text, tokenized and padded as the card's <c>text</c> preprocessing says.</summary>
    /// <exception cref="InvalidDataException">The text cannot be tokenized here.</exception>
    public static ClientTask FromText(string source, string text, string stem, ModelCard card, TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        try
        {
            return new ClientTask(source, tokenizer.ToInputs(card, text), stem);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>
    /// One task per text of a <c>.txt</c> or <c>.jsonl</c> file (<see cref="TextFiles"/>), its
    /// outputs named after the file and the line, e.g. <c>texts-line007</c>, numbers padded to
    /// the file's line count so that the names sort in input order.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds no text or a line is malformed.</exception>
    public static IReadOnlyList<ClientTask> FromTextFile(string path, ModelCard card, TextTokenizer tokenizer)
    {
        var name = Path.GetFileName(path);
        var stem = Path.GetFileNameWithoutExtension(path);
        var width = TextFiles.LineCount(path).ToString(CultureInfo.InvariantCulture).Length;
        return TextFiles.Read(path)
            .Select(line => FromText($"{name} line {line.Number}", line.Text, $"{stem}-line{line.Number.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}", card, tokenizer))
            .ToList();
    }

    /// <summary>
    /// The demo's workload for a card: <paramref name="count"/> synthetic pictures for image models,
    /// synthetic sentences for text models (<see cref="SyntheticSources"/>, then <see cref="FromSynthetic"/>).
    /// </summary>
    public static IReadOnlyList<ClientTask> Synthetic(ModelCard card, ModelRegistry registry, int count, int seed) =>
        FromSynthetic(SyntheticSources(card, count, seed), card, registry);

    /// <summary>
    /// The demo's workload as a user holds it before the client starts: <paramref name="count"/>
    /// synthetic PNG pictures for image models, synthetic sentences for text models. Making them is
    /// not the client's work, so no stage is charged; turning them into tasks is (<see cref="FromSynthetic"/>).
    /// </summary>
    public static IReadOnlyList<SyntheticSource> SyntheticSources(ModelCard card, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(card);
        return card.Preprocessing.Kind == TextPreprocessing.Kind
            ? SyntheticSentences.Generate(count, seed).Select((text, i) => new SyntheticSource($"sentence {i + 1}", $"sentence-{i + 1:D4}", null, text)).ToList()
            : SyntheticImages.Png(count, seed, 224, 224).Select((png, i) => new SyntheticSource($"image-{i:D4}.png", null, png, null)).ToList();
    }

    /// <summary>The client's tasks of synthetic sources: pictures decoded and preprocessed, sentences tokenized, as the card says.</summary>
    /// <exception cref="InvalidDataException">A source does not fit the card.</exception>
    public static IReadOnlyList<ClientTask> FromSynthetic(IEnumerable<SyntheticSource> sources, ModelCard card, ModelRegistry registry)
    {
        using var _ = StageMeter.Measure(Stage.ClientPreparation);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(card);
        var tokenizer = card.Preprocessing.Kind == TextPreprocessing.Kind ? Tokenizer(card, registry) : null;
        return sources.Select(source => source switch
        {
            { Sentence: { } text } when tokenizer is not null => FromText(source.Name, text, source.Stem ?? source.Name, card, tokenizer),
            { Picture: { } png } when tokenizer is null => FromImage(source.Name, png, card),
            _ => throw new InvalidDataException($"{source.Name}: model '{card.Name}' takes {(tokenizer is null ? "pictures" : "texts")}"),
        }).ToList();
    }

    private static TextTokenizer Tokenizer(ModelCard card, ModelRegistry registry)
    {
        try
        {
            return TextTokenizer.For(registry, card);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException)
        {
            throw new InvalidDataException($"model '{card.Name}': {e.Message}", e);
        }
    }

    private static ClientTask FromFolder(string path, ModelCard card)
    {
        var source = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        var inputs = card.Inputs.Select(spec =>
        {
            var file = Path.Combine(path, spec.Name + ".npy");
            return File.Exists(file)
                ? ReadNpy($"{source}/{spec.Name}.npy", File.ReadAllBytes(file), spec)
                : throw new InvalidDataException($"{source}: model '{card.Name}' takes {card.Inputs.Count} inputs ({string.Join(", ", card.Inputs.Select(i => i.Name + ".npy"))}); {spec.Name}.npy is missing");
        }).ToList();
        return new ClientTask(source, inputs, source);
    }

    private static ClientTask FromNpy(string source, byte[] bytes, ModelCard card) =>
        card.Inputs.Count != 1
            ? throw new InvalidDataException($"{source}: model '{card.Name}' takes {card.Inputs.Count} inputs; give a folder with one .npy file per input ({string.Join(", ", card.Inputs.Select(i => i.Name + ".npy"))})")
            : new ClientTask(source, [ReadNpy(source, bytes, card.Inputs[0])]);

    private static Tensor ReadNpy(string source, byte[] bytes, TensorSpec spec)
    {
        Tensor tensor;
        try
        {
            tensor = Npy.Read(bytes);
        }
        catch (NpyFormatException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return TaskInputs.Problem(spec, tensor) is { } problem ? throw new InvalidDataException($"{source}: {problem}") : tensor;
    }
}

/// <summary>One synthetic input as a user would hold it: a picture's PNG bytes or a sentence.</summary>
/// <param name="Name">A name for messages.</param>
/// <param name="Stem">The start of its output file names; null for the name without its extension.</param>
/// <param name="Picture">The PNG bytes of a picture, or null.</param>
/// <param name="Sentence">A sentence, or null.</param>
public sealed record SyntheticSource(string Name, string? Stem, byte[]? Picture, string? Sentence);
