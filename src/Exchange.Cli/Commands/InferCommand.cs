using System.CommandLine;
using Exchange.Cli.Cli;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Engine;
using Exchange.Inference.Images;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange infer</c>: run a model locally on images or .npy tensors, no chain involved.</summary>
internal static class InferCommand
{
    private static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static Command Build()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var device = ModelCommands.DeviceOption();
        var json = CommonOptions.Json();
        var inputs = new Option<FileInfo[]>("--input")
        {
            Description = "One task per file: a PNG or JPEG image (models with image preprocessing) or a .npy tensor",
            HelpName = "FILE",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for the outputs: one .npy per input, named after it",
            HelpName = "DIR",
            Required = true,
        };
        var command = new Command("infer", "Run a model locally on images or .npy tensors and write one .npy per input")
        {
            model, inputs, output, device, store, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(model)!);
            var files = parsed.GetValue(inputs)!;
            var card = entry.Card;
            var targets = OutputFiles(card, files, parsed.GetValue(output)!);

            // Every input is read and checked before anything runs or is written.
            var tasks = files.Select(file => new[] { ReadInput(card, file) }).ToArray();
            await using var engine = new InferenceEngine(registry, new InferenceEngineOptions { Device = parsed.GetValue(device)! });
            var info = await engine.LoadAsync(card, cancellationToken).ConfigureAwait(false);
            if (info.Device.FallbackReason is { } reason)
            {
                await Console.Error.WriteLineAsync($"note: running on the CPU: {reason}").ConfigureAwait(false);
            }

            var results = await Task.WhenAll(tasks.Select(task => engine.RunAsync(card, task, cancellationToken))).ConfigureAwait(false);
            Directory.CreateDirectory(parsed.GetValue(output)!.FullName);
            for (var t = 0; t < results.Length; t++)
            {
                for (var o = 0; o < results[t].Length; o++)
                {
                    await File.WriteAllBytesAsync(targets[t][o], Npy.Write(results[t][o]), cancellationToken).ConfigureAwait(false);
                }
            }

            if (parsed.GetValue(json))
            {
                Output.Json(new
                {
                    model = card.Name,
                    modelId = entry.ModelId.ToString(),
                    device = info.Device.Name,
                    outputs = files.Select((file, t) => new { input = file.FullName, files = targets[t] }).ToArray(),
                });
            }
            else
            {
                Output.Line($"{card.Name} on {info.Device.Name}: {files.Length} task(s)");
                for (var t = 0; t < files.Length; t++)
                {
                    Output.Line($"{files[t].Name} -> {string.Join(", ", targets[t])}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The output paths per input; two inputs with the same name would overwrite each other, so that is an error.</summary>
    private static string[][] OutputFiles(ModelCard card, FileInfo[] files, DirectoryInfo folder)
    {
        var stems = files.Select(f => Path.GetFileNameWithoutExtension(f.Name)).ToArray();
        if (stems.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new CliException($"two inputs are named '{clash.Key}': their outputs would overwrite each other in {folder.FullName}; rename one", ExitCodes.Usage);
        }

        return stems.Select(stem => card.Outputs.Count == 1
            ? new[] { Path.Combine(folder.FullName, stem + ".npy") }
            : card.Outputs.Select(o => Path.Combine(folder.FullName, $"{stem}.{o.Name}.npy")).ToArray()).ToArray();
    }

    private static Tensor ReadInput(ModelCard card, FileInfo file)
    {
        if (card.Inputs.Count != 1)
        {
            throw new CliException($"model '{card.Name}' takes {card.Inputs.Count} inputs; exchange infer feeds one file per task to single-input models", ExitCodes.Usage);
        }

        if (!file.Exists)
        {
            throw new CliException($"input {file.FullName} does not exist");
        }

        var bytes = File.ReadAllBytes(file.FullName);
        if (bytes.AsSpan().StartsWith(NpyMagic))
        {
            return Npy.Read(bytes);
        }

        if (card.Preprocessing.Kind != ImagePreprocessing.Kind)
        {
            throw new CliException($"input {file.Name} is not a .npy file, and model '{card.Name}' takes tensors (preprocessing \"{card.Preprocessing.Kind}\"), not images");
        }

        var image = ImagePreprocessing.From(card.Preprocessing);
        return Tensor.Create<float>(image.Apply(bytes, file.Name), 1, 3, image.Height, image.Width);
    }
}
