using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Text;
using Exchange.Inference.Verification;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange text</c>: sentences to try text models on, and semantic search over embeddings the exchange computed.</summary>
internal static class TextCommands
{
    public static Command Build()
    {
        var text = new Command("text", "Text workloads: write sample sentences, search embeddings computed by the exchange");
        text.Subcommands.Add(BuildSample());
        text.Subcommands.Add(BuildSearch());
        return text;
    }

    private static Command BuildSample()
    {
        var count = new Option<int>("--count") { Description = "Sentences to write (default 300)", DefaultValueFactory = _ => 300 };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1_000_000)
            {
                result.AddError("--count must be 1-1000000");
            }
        });
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed writes the same sentences (default 7)", DefaultValueFactory = _ => 7 };
        var output = new Option<FileInfo>("--out") { Description = "The text file to write, one sentence per line", HelpName = "FILE", Required = true };
        var command = new Command("sample", $"Write generated English sentences on {SyntheticSentences.Topics.Count} topics ({string.Join(", ", SyntheticSentences.Topics)}), one per line")
        {
            count, seed, output,
        };
        command.SetAction(parsed =>
        {
            var file = parsed.GetValue(output)!;
            file.Directory?.Create();
            File.WriteAllLines(file.FullName, SyntheticSentences.Generate(parsed.GetValue(count), parsed.GetValue(seed)));
            Output.Line($"{parsed.GetValue(count)} sentences written to {file.FullName}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildSearch()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var device = ModelCommands.DeviceOption();
        var json = CommonOptions.Json();
        var texts = new Option<FileInfo>("--texts") { Description = "The .txt or .jsonl file whose lines were embedded", HelpName = "FILE", Required = true };
        var embeddings = new Option<DirectoryInfo>("--embeddings")
        {
            Description = "The folder of their embeddings: <file>-line<N>.<output>.npy as exchange client submit --out writes them (or <file>-line<N>.npy from exchange infer)",
            HelpName = "DIR",
            Required = true,
        };
        var query = new Option<string>("--query") { Description = "The text to search for", HelpName = "TEXT", Required = true };
        var top = new Option<int>("--top") { Description = "How many matches to print (default 5)", DefaultValueFactory = _ => 5 };
        top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--top must be at least 1");
            }
        });
        var compare = new Option<bool>("--compare-local")
        {
            Description = "Also embed every text on this machine, check each embedding from the files against it under the card's policy, and the top matches against the local ones; exits 1 when any differs",
        };
        var command = new Command("search", "Rank embedded texts by cosine similarity to a query embedded on this machine")
        {
            model, texts, embeddings, query, top, compare, device, store, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(model)!);
            var card = entry.Card;
            if (card.Preprocessing.Kind != TextPreprocessing.Kind || card.Outputs.Count != 1)
            {
                throw new CliException($"model '{card.Name}' is not a text embedding model (text preprocessing, one output)", ExitCodes.Usage);
            }

            var file = parsed.GetValue(texts)!;
            if (!file.Exists)
            {
                throw new CliException($"{file.FullName} does not exist");
            }

            var lines = TextFiles.Read(file.FullName);
            var stored = ReadEmbeddings(card, file, lines, parsed.GetValue(embeddings)!);
            var tokenizer = TextTokenizer.For(registry, card);
            await using var engine = new InferenceEngine(registry, new InferenceEngineOptions { Device = parsed.GetValue(device)! });
            var queryText = parsed.GetValue(query)!;
            var queryEmbedding = (await engine.RunAsync(card, tokenizer.ToInputs(card, queryText), cancellationToken).ConfigureAwait(false))[0];

            var index = new SemanticIndex();
            for (var i = 0; i < lines.Count; i++)
            {
                index.Add(lines[i], stored[i]);
            }

            var hits = index.Search(queryEmbedding, parsed.GetValue(top));
            LocalCheck? check = null;
            if (parsed.GetValue(compare))
            {
                var local = await Task.WhenAll(lines.Select(line => engine.RunAsync(card, tokenizer.ToInputs(card, line.Text), cancellationToken))).ConfigureAwait(false);
                check = Check(card, lines, stored, local.Select(l => l[0]).ToList(), queryEmbedding, hits);
            }

            if (parsed.GetValue(json))
            {
                Output.Json(new
                {
                    model = card.Name,
                    modelId = entry.ModelId.ToString(),
                    query = queryText,
                    texts = lines.Count,
                    hits = hits.Select(h => new { line = h.Text.Number, text = h.Text.Text, score = Math.Round(h.Score, 6) }).ToArray(),
                    local = check,
                });
            }
            else
            {
                Output.Line($"query: {queryText}");
                for (var i = 0; i < hits.Count; i++)
                {
                    Output.Line(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {hits[i].Score:F4}  line {hits[i].Text.Number}: {hits[i].Text.Text}"));
                }

                if (check is not null)
                {
                    Output.Line(string.Create(
                        CultureInfo.InvariantCulture,
                        $"local check: {check.Passed} of {check.Compared} embeddings pass the card's policy against this machine's (lowest cosine {check.MinCosine:F9}, largest relL2 {check.MaxRelL2:G3}); local top {hits.Count} {(check.SameTop ? "is the same" : "DIFFERS")}"));
                }
            }

            return check is null || (check.Passed == check.Compared && check.SameTop) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Each line's embedding, from the file the client or <c>exchange infer</c> wrote for it.</summary>
    private static List<Tensor> ReadEmbeddings(ModelCard card, FileInfo file, IReadOnlyList<TextLine> lines, DirectoryInfo folder)
    {
        var stem = Path.GetFileNameWithoutExtension(file.Name);
        var width = TextFiles.LineCount(file.FullName).ToString(CultureInfo.InvariantCulture).Length;
        var spec = card.Outputs[0];
        return lines.Select(line =>
        {
            var name = $"{stem}-line{line.Number.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}";
            var path = new[] { $"{name}.{spec.Name}.npy", $"{name}.npy" }.Select(f => Path.Combine(folder.FullName, f)).FirstOrDefault(File.Exists)
                ?? throw new CliException($"no embedding of line {line.Number} in {folder.FullName} ({name}.{spec.Name}.npy)");
            var tensor = Npy.Read(File.ReadAllBytes(path));
            return spec.Mismatch(tensor) is { } problem ? throw new CliException($"{path}: {problem}") : tensor;
        }).ToList();
    }

    private static LocalCheck Check(ModelCard card, IReadOnlyList<TextLine> lines, List<Tensor> stored, List<Tensor> local, Tensor query, IReadOnlyList<SearchHit> hits)
    {
        var metrics = stored.Select((tensor, i) => OutputComparator.Measure(local[i], tensor, card.Classifier)).ToList();
        var passed = Enumerable.Range(0, stored.Count).Count(i => OutputComparator.Compare(card, [local[i]], [stored[i]]).Pass);
        var localIndex = new SemanticIndex();
        for (var i = 0; i < lines.Count; i++)
        {
            localIndex.Add(lines[i], local[i]);
        }

        var localHits = localIndex.Search(query, hits.Count);
        return new LocalCheck(
            stored.Count,
            passed,
            Math.Round(metrics.Min(m => m.Cosine), 12),
            metrics.Max(m => m.RelativeL2),
            localHits.Select(h => h.Text.Number).SequenceEqual(hits.Select(h => h.Text.Number)));
    }

    /// <summary>How the embeddings from the exchange compare with this machine's.</summary>
    /// <param name="Compared">Embeddings compared.</param>
    /// <param name="Passed">How many pass the card's verification policy.</param>
    /// <param name="MinCosine">The lowest cosine similarity between a file's embedding and the local one.</param>
    /// <param name="MaxRelL2">The largest relative L2 difference.</param>
    /// <param name="SameTop">Whether the local embeddings rank the same top matches.</param>
    private sealed record LocalCheck(int Compared, int Passed, double MinCosine, double MaxRelL2, bool SameTop);
}
