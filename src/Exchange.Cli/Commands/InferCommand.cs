using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Text;
using Exchange.Node.Client;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange infer</c>: run a model locally on images, texts or .npy tensors, no chain involved.</summary>
internal static class InferCommand
{
    public static Command Build()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var device = ModelCommands.DeviceOption();
        var json = CommonOptions.Json();
        var inputs = new Option<FileInfo[]>("--input")
        {
            Description = "Inputs: images or .npy tensors (one task each), folders of <input>.npy (multi-input models), or for text models .txt/.jsonl files (one task per line)",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
        };
        var texts = new Option<string[]>("--text")
        {
            Description = "A text to run a text model on (one task each; repeat for several)",
            HelpName = "TEXT",
        };
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for the outputs, one .npy per input and output, named after the input; without it the outputs are printed",
            HelpName = "DIR",
        };
        var command = new Command("infer", "Run a model locally on images, texts or .npy tensors; write one .npy per input, or print the outputs")
        {
            model, inputs, texts, output, device, store, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(inputs) is null && result.GetResult(texts) is null)
            {
                result.AddError("give --input FILE… or --text TEXT…");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(model)!);
            var card = entry.Card;

            // Every input is read and checked before anything runs or is written.
            var tasks = Tasks(card, registry, parsed.GetValue(inputs) ?? [], parsed.GetValue(texts) ?? []);
            await using var engine = new InferenceEngine(registry, new InferenceEngineOptions { Device = parsed.GetValue(device)! });
            var info = await engine.LoadAsync(card, cancellationToken).ConfigureAwait(false);
            if (info.Device.FallbackReason is { } reason)
            {
                await Console.Error.WriteLineAsync($"note: running on the CPU: {reason}").ConfigureAwait(false);
            }

            var results = await Task.WhenAll(tasks.Select(task => engine.RunAsync(card, task.Inputs, cancellationToken))).ConfigureAwait(false);
            var folder = parsed.GetValue(output);
            var targets = folder is null ? null : tasks.Select(t => card.Outputs.Select(o => Path.Combine(folder.FullName, OutputFile(card, t.Stem, o.Name))).ToArray()).ToArray();
            if (folder is not null)
            {
                folder.Create();
                for (var t = 0; t < results.Length; t++)
                {
                    for (var o = 0; o < results[t].Length; o++)
                    {
                        await File.WriteAllBytesAsync(targets![t][o], Npy.Write(results[t][o]), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (parsed.GetValue(json))
            {
                Output.Json(new
                {
                    model = card.Name,
                    modelId = entry.ModelId.ToString(),
                    device = info.Device.Name,
                    outputs = tasks.Select((task, t) => new
                    {
                        input = task.Source,
                        files = targets?[t],
                        values = targets is null ? card.Outputs.Select((o, i) => new { name = o.Name, shape = results[t][i].Shape, data = Values(results[t][i]) }).ToArray() : null,
                    }).ToArray(),
                });
            }
            else
            {
                Output.Line($"{card.Name} on {info.Device.Name}: {tasks.Count} task(s)");
                for (var t = 0; t < tasks.Count; t++)
                {
                    if (targets is not null)
                    {
                        Output.Line($"{tasks[t].Source} -> {string.Join(", ", targets[t])}");
                        continue;
                    }

                    for (var o = 0; o < card.Outputs.Count; o++)
                    {
                        var values = Values(results[t][o]);
                        Output.Line($"{tasks[t].Source}: '{card.Outputs[o].Name}' {results[t][o]}");
                        Output.Line(string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
                    }
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The tasks of the files and texts, in that order; two tasks that would write the same outputs are an error.</summary>
    private static List<ClientTask> Tasks(ModelCard card, ModelRegistry registry, FileInfo[] files, string[] texts)
    {
        if (files.FirstOrDefault(f => !f.Exists && !Directory.Exists(f.FullName)) is { } missing)
        {
            throw new CliException($"input {missing.FullName} does not exist");
        }

        if (texts.Length > 0 && card.Preprocessing.Kind != TextPreprocessing.Kind)
        {
            throw new CliException($"model '{card.Name}' takes {card.Preprocessing.Kind} inputs, not texts (--text is for models with text preprocessing)", ExitCodes.Usage);
        }

        var tasks = ClientTask.FromPaths(files.Select(f => f.FullName), card, registry).ToList();
        if (texts.Length > 0)
        {
            var tokenizer = TextTokenizer.For(registry, card);
            var width = texts.Length.ToString(CultureInfo.InvariantCulture).Length;
            tasks.AddRange(texts.Select((text, i) =>
            {
                var number = (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
                return ClientTask.FromText($"text {number}", text, $"text-{number}", card, tokenizer);
            }));
        }

        if (tasks.GroupBy(t => t.Stem, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new CliException($"two inputs are named '{clash.Key}': their outputs would overwrite each other; rename one", ExitCodes.Usage);
        }

        return tasks;
    }

    private static string OutputFile(ModelCard card, string stem, string output) => card.Outputs.Count == 1 ? stem + ".npy" : $"{stem}.{output}.npy";

    /// <summary>A tensor's elements as numbers, for printing; floats as the shortest decimal that reads back as the same float.</summary>
    private static double[] Values(Tensor tensor) => tensor.DType switch
    {
        TensorDType.Float32 => [.. tensor.AsFloat32().ToArray().Select(v => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))],
        TensorDType.Float16 => [.. tensor.AsFloat16().ToArray().Select(v => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))],
        TensorDType.Int64 => [.. tensor.AsInt64().ToArray().Select(v => (double)v)],
        TensorDType.Int32 => [.. tensor.AsInt32().ToArray().Select(v => (double)v)],
        TensorDType.UInt8 => [.. tensor.AsUInt8().ToArray().Select(v => (double)v)],
        _ => [.. tensor.AsBool().ToArray().Select(v => v ? 1.0 : 0.0)],
    };
}
