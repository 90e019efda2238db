using System.CommandLine;
using System.Text.Json;
using Exchange.Cli.Infrastructure;
using Exchange.Core.Models;
using Exchange.Inference.Calibration;
using Exchange.Inference.Devices;
using Exchange.Inference.Models;
using Microsoft.ML.OnnxRuntime;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange model</c>: the local model store: list, show, add, and calibrate a card's verification policy.</summary>
internal static class ModelCommands
{
    public static Command Build()
    {
        var model = new Command("model", "Models: the built-in ones and the local store (list, show, add, calibrate)");
        model.Subcommands.Add(BuildList());
        model.Subcommands.Add(BuildShow());
        model.Subcommands.Add(BuildAdd());
        model.Subcommands.Add(BuildCalibrate());
        return model;
    }

    /// <summary><c>--models DIR</c>: the local model store.</summary>
    internal static Option<DirectoryInfo> StoreOption() => new("--models")
    {
        Description = $"Local model store folder (default: ${ModelStore.Variable} or {ModelStore.DefaultRoot})",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo(ModelStore.DefaultRoot),
    };

    /// <summary><c>--device auto|cpu|cuda[:N]</c>.</summary>
    internal static Option<DeviceSpec> DeviceOption() => new("--device")
    {
        Description = "Where to run: auto (CUDA when it loads, else the CPU, saying why), cpu, cuda or cuda:N",
        HelpName = "auto|cpu|cuda[:N]",
        DefaultValueFactory = _ => DeviceSpec.Auto,
        CustomParser = result =>
        {
            try
            {
                return DeviceSpec.Parse(result.Tokens.Single().Value);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
                return null!;
            }
        },
    };

    /// <summary><c>--model NAME|ID</c>.</summary>
    internal static Option<string> ModelOption() => new("--model")
    {
        Description = "Model name (e.g. resnet18) or model id (0x + 64 hex digits)",
        HelpName = "NAME|ID",
        Required = true,
    };

    internal static ModelRegistry Registry(ParseResult parsed, Option<DirectoryInfo> store) => new(new ModelStore(parsed.GetValue(store)!.FullName));

    private static Command BuildList()
    {
        var store = StoreOption();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the built-in models and those in the local store") { store, json };
        command.SetAction(parsed =>
        {
            var entries = Registry(parsed, store).List();
            if (parsed.GetValue(json))
            {
                Output.Json(entries.Select(Summary).ToArray());
            }
            else
            {
                foreach (var entry in entries)
                {
                    Output.Line($"{entry.Name,-20} v{entry.Card.Version,-4} {entry.ModelId} {(entry.BuiltIn ? "built-in" : "store")}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildShow()
    {
        var store = StoreOption();
        var json = CommonOptions.Json();
        var name = new Argument<string>("model") { Description = "Model name or id" };
        var command = new Command("show", "Print a model's card and id") { name, store, json };
        command.SetAction(parsed =>
        {
            var registry = Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(name)!);
            var file = entry.BuiltIn ? "built-in" : registry.Store.FilePath(entry.Card.Model.Keccak256);
            if (parsed.GetValue(json))
            {
                Output.Json(new { modelId = entry.ModelId.ToString(), builtIn = entry.BuiltIn, file, card = CardJson(entry.Card) });
            }
            else
            {
                Output.Line($"model id: {entry.ModelId}");
                Output.Line($"file:     {file}");
                Output.Line(System.Text.Encoding.UTF8.GetString(entry.Card.ToCanonicalJson()));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildAdd()
    {
        var store = StoreOption();
        var json = CommonOptions.Json();
        var onnx = new Argument<FileInfo>("onnx") { Description = "The ONNX model file" };
        var cardFile = new Option<FileInfo>("--card") { Description = "The model card (JSON; its model.keccak256 must be the file's)", HelpName = "CARD.json", Required = true };
        var assets = new Option<FileInfo[]>("--asset")
        {
            Description = "A file the card's preprocessing names by keccak256, such as a text model's vocabulary",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("add", "Add an ONNX file and its card to the local store; prints the model id") { onnx, cardFile, assets, store, json };
        command.SetAction(parsed =>
        {
            var onnxFile = parsed.GetValue(onnx)!;
            var card = ModelCard.Parse(File.ReadAllBytes(parsed.GetValue(cardFile)!.FullName));
            ModelEntry entry;
            try
            {
                var assetBytes = (parsed.GetValue(assets) ?? []).Select(f => f.Exists ? File.ReadAllBytes(f.FullName) : throw new CliException($"{f.FullName} does not exist")).ToList();
                entry = Registry(parsed, store).Add(File.ReadAllBytes(onnxFile.FullName), card, assetBytes);
            }
            catch (OnnxRuntimeException e)
            {
                throw new CliException($"{onnxFile.Name} is not a model ONNX Runtime can load: {e.Message}", e);
            }

            if (parsed.GetValue(json))
            {
                Output.Json(new { modelId = entry.ModelId.ToString(), name = entry.Name });
            }
            else
            {
                Output.Line(entry.ModelId.ToString());
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildCalibrate()
    {
        var store = StoreOption();
        var json = CommonOptions.Json();
        var device = DeviceOption();
        var name = new Argument<string>("model") { Description = "Model name or id" };
        var tasks = new Option<int>("--tasks")
        {
            Description = "Calibration inputs (default 8)",
            HelpName = "N",
            DefaultValueFactory = _ => 8,
        };
        tasks.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 256)
            {
                result.AddError("--tasks must be 2-256");
            }
        });
        var command = new Command("calibrate", "Check the card's verification policy: honest re-runs must pass, known cheats must fail; exits 1 otherwise")
        {
            name, tasks, device, store, json,
        };
        command.SetAction(parsed =>
        {
            var registry = Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(name)!);
            var options = new CalibrationOptions(parsed.GetValue(tasks), IncludeCuda: parsed.GetValue(device)!.Kind != DeviceKind.Cpu);
            var report = ModelCalibrator.Calibrate(registry, entry, options);
            if (parsed.GetValue(json))
            {
                Output.Json(report);
            }
            else
            {
                foreach (var result in report.Honest.Select(h => ("honest", h)).Concat(report.Cheats.Select(c => ("cheat", c))))
                {
                    var m = result.Item2.Metrics;
                    Output.Line($"{result.Item1,-6} {result.Item2.Name,-36} {(result.Item2.Pass ? "pass" : "FAIL"),-4}  relL2 {m.RelativeL2:G3}  maxAbs {m.MaxAbs:G3}  cosine {m.Cosine:G9}");
                }

                Output.Line($"all honest pass: {report.AllHonestPass}; all cheats fail: {report.AllCheatsFail}");
            }

            return report.AllHonestPass && report.AllCheatsFail ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static object Summary(ModelEntry entry) => new
    {
        name = entry.Name,
        version = entry.Card.Version,
        modelId = entry.ModelId.ToString(),
        file = entry.Card.Model.Keccak256.ToString(),
        builtIn = entry.BuiltIn,
    };

    private static JsonElement CardJson(ModelCard card)
    {
        using var document = JsonDocument.Parse(card.ToCanonicalJson());
        return document.RootElement.Clone();
    }
}
