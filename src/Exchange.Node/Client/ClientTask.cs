using System.Globalization;
using Exchange.Core.Diagnostics;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Images;
using Exchange.Inference.Models;
using Exchange.Inference.Text;

namespace Exchange.Node.Client;

/// <summary>
/// One task a client wants run: where its input came from and the input tensors, in the card's
/// order. A task either holds its tensors or reads them again from its source when asked
/// (<see cref="Held"/>): a client with more inputs than <see cref="DefaultHeldInputBytes"/> keeps
/// the rest on disk until it uploads them, so that its memory does not grow with their number.
/// </summary>
public sealed record ClientTask
{
    /// <summary>
    /// The bytes of decoded inputs a client holds by default (1 GiB, about 1,780 ResNet-18 pictures
    /// as float32). Past it, each further picture or tensor file is decoded once to check it and
    /// again when it is uploaded.
    /// </summary>
    public const long DefaultHeldInputBytes = 1L << 30;

    private readonly IReadOnlyList<Tensor>? _held;
    private readonly Func<IReadOnlyList<Tensor>>? _read;

    /// <summary>A task that holds its inputs.</summary>
    /// <param name="source">A name for messages (the input file's name, with the line for a text).</param>
    /// <param name="inputs">The model's inputs.</param>
    /// <param name="outputStem">The start of the task's output file names; null for the input file's name without its extension.</param>
    public ClientTask(string source, IReadOnlyList<Tensor> inputs, string? outputStem = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Source = source;
        OutputStem = outputStem;
        _held = inputs;
    }

    private ClientTask(string source, Func<IReadOnlyList<Tensor>> read, string? outputStem)
    {
        Source = source;
        OutputStem = outputStem;
        _read = read;
    }

    /// <summary>A name for messages (the input file's name, with the line for a text).</summary>
    public string Source { get; }

    /// <summary>The start of the task's output file names; null for the input file's name without its extension.</summary>
    public string? OutputStem { get; init; }

    /// <summary>
    /// The model's inputs: the held ones, or read again from the source, decoded and checked
    /// against the card each time they are asked for.
    /// </summary>
    /// <exception cref="InvalidDataException">A source read again no longer fits the card (the file changed).</exception>
    public IReadOnlyList<Tensor> Inputs => _held ?? _read!();

    /// <summary>Whether the task holds its inputs, rather than reading them again from its source when asked.</summary>
    public bool Held => _held is not null;

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
    /// <remarks>
    /// The tasks hold their inputs up to <paramref name="heldInputBytes"/> in all; each further
    /// image or tensor file is decoded and checked here, and read again when it is uploaded
    /// (<see cref="Held"/>). Texts are always held: a task of tokens is a few kilobytes.
    /// </remarks>
    /// <exception cref="InvalidDataException">An input is not valid for the card; the message starts with its file.</exception>
    public static IReadOnlyList<ClientTask> FromPaths(IEnumerable<string> paths, ModelCard card, ModelRegistry registry, long heldInputBytes = DefaultHeldInputBytes)
    {
        using var _ = StageMeter.Measure(Stage.ClientPreparation);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(card);
        var text = card.Preprocessing.Kind == TextPreprocessing.Kind;
        var budget = new HeldInputs(heldInputBytes);
        var tasks = new List<ClientTask>();
        foreach (var path in paths)
        {
            if (text && !Directory.Exists(path))
            {
                tasks.AddRange(FromTextFile(path, card, Tokenizer(card, registry)).Select(t => budget.Count(Checked(t, card))));
            }
            else
            {
                tasks.Add(budget.HoldOrRelease(() => Checked(FromFile(path, card), card)));
            }
        }

        return UniqueStems(tasks);
    }

    /// <summary>
    /// Refuses the first task that is not valid for the card (<see cref="TaskInputs"/>), naming its
    /// source and the problem. Tasks that read their inputs again check them as they read them.
    /// </summary>
    /// <exception cref="InvalidDataException">A task is not valid for the card.</exception>
    public static void EnsureValid(IEnumerable<ClientTask> tasks, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks.Where(t => t.Held))
        {
            Checked(task, card);
        }
    }

    /// <summary>The task, if valid for the card.</summary>
    /// <exception cref="InvalidDataException">It is not; the message starts with its source.</exception>
    private static ClientTask Checked(ClientTask task, ModelCard card) =>
        TaskInputs.Problem(card, task.Inputs) is { } problem ? throw new InvalidDataException($"{task.Source}: {problem}") : task;

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

    /// <summary>
    /// The client's tasks of synthetic sources: pictures decoded and preprocessed, sentences
    /// tokenized, as the card says. Pictures past <paramref name="heldInputBytes"/> of inputs are
    /// decoded again from their PNG bytes when uploaded, as <see cref="FromPaths"/> reads files again.
    /// </summary>
    /// <exception cref="InvalidDataException">A source does not fit the card.</exception>
    public static IReadOnlyList<ClientTask> FromSynthetic(IEnumerable<SyntheticSource> sources, ModelCard card, ModelRegistry registry, long heldInputBytes = DefaultHeldInputBytes)
    {
        using var _ = StageMeter.Measure(Stage.ClientPreparation);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(card);
        var tokenizer = card.Preprocessing.Kind == TextPreprocessing.Kind ? Tokenizer(card, registry) : null;
        var budget = new HeldInputs(heldInputBytes);
        return sources.Select(source => source switch
        {
            { Sentence: { } text } when tokenizer is not null => budget.Count(Checked(FromText(source.Name, text, source.Stem ?? source.Name, card, tokenizer), card)),
            { Picture: { } png } when tokenizer is null => budget.HoldOrRelease(() => Checked(FromImage(source.Name, png, card), card)),
            _ => throw new InvalidDataException($"{source.Name}: model '{card.Name}' takes {(tokenizer is null ? "pictures" : "texts")}"),
        }).ToList();
    }

    /// <summary>How many bytes of decoded inputs the tasks made so far hold, and whether the next one may hold its own.</summary>
    private sealed class HeldInputs(long limit)
    {
        private long _held;

        /// <summary>Counts a task that is held whatever the limit (a text's tokens).</summary>
        public ClientTask Count(ClientTask task)
        {
            _held += Bytes(task);
            return task;
        }

        /// <summary>
        /// The task <paramref name="read"/> makes (a decode, checked against the card) as it is while
        /// its inputs fit under the limit; past it, a task that calls <paramref name="read"/> again
        /// each time its inputs are asked for.
        /// </summary>
        public ClientTask HoldOrRelease(Func<ClientTask> read)
        {
            var task = read();
            var bytes = Bytes(task);
            if (_held + bytes <= limit)
            {
                _held += bytes;
                return task;
            }

            return new ClientTask(task.Source, () => ReadAgain(read), task.OutputStem);
        }

        private static IReadOnlyList<Tensor> ReadAgain(Func<ClientTask> read)
        {
            // Reading again is the client's preparation, wherever it happens (inside an upload).
            using var _ = StageMeter.Measure(Stage.ClientPreparation);
            return read().Inputs;
        }

        private static long Bytes(ClientTask task) => task.Inputs.Sum(t => (long)t.Data.Length);
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
