using System.CommandLine;
using Exchange.Cli.Infrastructure;
using Exchange.Inference.Benchmarks;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Benchmarks;
using Exchange.Node.Benchmarks;
using Exchange.Node.Privacy;
using Microsoft.Extensions.Logging;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange bench</c>: measurements that compare a part with its bare reference in the same run.</summary>
internal static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "Benchmarks, each against its reference in the same run");
        bench.Subcommands.Add(BuildInference());
        bench.Subcommands.Add(BuildPrivacy());
        bench.Subcommands.Add(BuildHashing());
        bench.Subcommands.Add(BuildBlobs());
        bench.Subcommands.Add(BuildEndToEnd());
        return bench;
    }

    private static Command BuildEndToEnd()
    {
        var model = new Option<string>("--model") { Description = "Model: identity-u8 (default; the plumbing alone, with resnet18-u8's inputs), resnet18-u8, resnet-preprocess-u8, resnet18, ...", HelpName = "NAME", DefaultValueFactory = _ => BuiltInModels.IdentityBytes };
        var tasks = new Option<int>("--tasks") { Description = "Tasks the client submits (default 256)", HelpName = "N", DefaultValueFactory = _ => 256 };
        var device = ModelCommands.DeviceOption();
        var providers = new Option<int>("--providers") { Description = "Honest providers (default 1)", HelpName = "P", DefaultValueFactory = _ => 1 };
        var perJob = ClientCommands.TasksPerJob();
        var warmUp = new Option<bool>("--warm-up") { Description = "Run one job of the run's size (1,024 tasks at most, or --tasks-per-job) to its settlement on the network first, so that the measured run finds its code compiled" };
        var providerProcesses = new Option<bool>("--provider-processes") { Description = "Run each provider as a process of its own (exchange provider run, the model on its default device), to report its memory and CPU apart" };
        var roleProcesses = new Option<bool>("--role-processes") { Description = "Run every role but the client as a process of its own (exchange api run, provider run, verifier run), to report each role's memory and CPU apart" };
        var isPublic = new Option<bool>("--public") { Description = "Payloads in the clear, to compare with the default, encrypted run" };
        var pollOnly = new Option<bool>("--poll-only") { Description = "The nodes and the client only poll, without log subscriptions, to compare with the default run" };
        var json = CommonOptions.Json();
        var command = new Command("e2e", "An honest local network (chain, API, providers, a verifier, a client) end to end: tasks/s from the first upload to the last settlement against the bare engine in the same run, gas and CPU per task by stage, peak memory")
        {
            model, tasks, device, providers, perJob, warmUp, providerProcesses, roleProcesses, isPublic, pollOnly, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new EndToEndOptions
            {
                Model = parsed.GetValue(model)!,
                Tasks = parsed.GetValue(tasks),
                Device = parsed.GetValue(device)!,
                Providers = parsed.GetValue(providers),
                TasksPerJob = parsed.GetValue(perJob),
                WarmUp = parsed.GetValue(warmUp),
                ProviderProcesses = parsed.GetValue(providerProcesses),
                RoleProcesses = parsed.GetValue(roleProcesses),
                Public = parsed.GetValue(isPublic),
                PollOnly = parsed.GetValue(pollOnly),
            };
            if (options.Problem() is { } problem)
            {
                throw new CliException(problem, ExitCodes.Usage);
            }

            // stdout carries the result; the nodes' warnings go to stderr.
            using var logs = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
            EndToEndResult result;
            try
            {
                result = await EndToEndBenchmark.RunAsync(options, logs, cancellationToken).ConfigureAwait(false);
            }
            catch (UnknownModelException e)
            {
                throw new CliException(e.Message, e, ExitCodes.Usage);
            }

            if (parsed.GetValue(json))
            {
                Output.Json(result);
            }
            else
            {
                PrintEndToEnd(result);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintEndToEnd(EndToEndResult result)
    {
        var cpu = result.CpuMsPerTask;
        Output.Line($"{result.Model} on {result.Device}, {result.Tasks} tasks in jobs of {result.TasksPerJob} ({(result.JobSizeChosen ? "the client's choice" : "asked for")}), {result.Providers} provider(s){(result.WarmUp ? $", warmed up by a job of {result.WarmUpTasks}" : "")}{(result.Subscribed ? "" : ", polling only")}{(result.Encrypted ? ", encrypted" : ", in the clear")}: "
            + $"{result.TasksPerSec:F1} tasks/s end to end, bare engine {result.BareTasksPerSec:F1}/s, ratio {result.Ratio:F3}; {result.GasPerTask:F0} gas/task");
        Output.Line("CPU ms per task");
        foreach (var (stage, ms) in new (string, double)[]
        {
            ("client preparation", cpu.ClientPreparation), ("hashing", cpu.Hashing), ("uploads", cpu.Uploads), ("API ingest", cpu.ApiIngest),
            ("provider fetch + checks", cpu.ProviderFetch), ("inference", cpu.Inference), ("output upload", cpu.OutputUpload), ("signing", cpu.Signing),
            ("chain transactions", cpu.ChainTransactions), ("audits", cpu.Audits), ("polling", cpu.Polling), ("other (unattributed)", cpu.Other), ("chain node (Hardhat)", cpu.ChainNode),
            ("provider processes", cpu.ProviderProcesses), ("API process", cpu.ApiProcess), ("verifier processes", cpu.VerifierProcesses), ("total", cpu.Total),
        })
        {
            Output.Line($"  {stage,-24} {ms,9:F3}");
        }

        Output.Line($"  of which JIT compilation {result.JitMsPerTask:F3}; GC pauses {result.GcPauseMsPerTask:F3} ms of wall time per task");
        var peak = result.PeakRssMb;
        Output.Line($"peak RSS: {peak.Process:F0} MiB for {string.Join(", ", peak.ProcessRoles)} ({(peak.ProcessRoles.Count == 1 ? "its own process" : "one process")}), {peak.ChainNode:F0} MiB chain node"
            + (peak.Api is { } api ? $", {api:F0} MiB the API process" : "")
            + (peak.Providers is { } providers ? $", {providers:F0} MiB the largest provider process" : "")
            + (peak.Verifiers is { } verifiers ? $", {verifiers:F0} MiB the largest verifier process" : ""));
        if (result.WallSeconds is { } wall)
        {
            Output.Line($"wall seconds: upload {wall.Upload:F1}, job creation {wall.Creation:F1}, results {wall.Results:F1}, settlement (audits, appeal window) {wall.Settlement:F1}");
            Output.Line($"up to the results on the chain: {result.ResultsPerSec:F1} tasks/s, ratio {result.ResultsRatio:F3}");
        }
    }

    private static Command BuildHashing()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var json = CommonOptions.Json();
        var blobs = new Option<int>("--blobs") { Description = "Blobs hashed per round with each function (default 50; 10 rounds each side)", HelpName = "N", DefaultValueFactory = _ => 50 };
        blobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--blobs must be 1-100000");
            }
        });
        var command = new Command("hashing", "Blob addressing (SHA-256) against keccak256, the address it replaced, on the model's input tensor") { model, blobs, store, json };
        command.SetAction((parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var result = BlobHashingBenchmark.Run(registry, registry.Resolve(parsed.GetValue(model)!), parsed.GetValue(blobs), cancellationToken);
            if (parsed.GetValue(json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{result.Model}, {result.BlobBytes} B input blob, {result.Blobs} blobs: keccak256 {result.KeccakMicrosPerBlob:F0} us ({result.KeccakMegabytesPerSec:F0} MB/s), blob address (SHA-256) {result.AddressMicrosPerBlob:F0} us ({result.AddressMegabytesPerSec:F0} MB/s), {result.Speedup:F1}x faster");
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command BuildBlobs()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var json = CommonOptions.Json();
        var blobs = new Option<int>("--blobs") { Description = "Blobs per upload (default 64, a client's batch; 10 rounds each side)", HelpName = "N", DefaultValueFactory = _ => 64 };
        blobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--blobs must be 1-10000");
            }
        });
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder to store in, on the disk to measure (default: the temporary folder); a subfolder is made and removed", HelpName = "DIR" };
        data.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<DirectoryInfo>() is { Exists: false } missing)
            {
                result.AddError($"--data {missing.FullName} is not a folder");
            }
        });
        var command = new Command("blobs", "Storing uploaded blobs: the API's store (one pack file per upload) against a file per blob, the layout it replaced, on blobs the size of the model's input")
        {
            model, blobs, data, store, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var result = await BlobStoreBenchmark.RunAsync(registry, registry.Resolve(parsed.GetValue(model)!), parsed.GetValue(blobs), parsed.GetValue(data)?.FullName, cancellationToken);
            if (parsed.GetValue(json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{result.Model}, {result.BlobBytes} B blobs, {result.BlobsPerUpload} per upload, {result.Blobs} blobs each way: pack {result.PackCpuMicrosPerBlob:F0} us CPU ({result.PackWallMicrosPerBlob:F0} us wall) per blob, a file per blob {result.FilesCpuMicrosPerBlob:F0} us CPU ({result.FilesWallMicrosPerBlob:F0} us wall), {result.CpuSpeedup:F1}x less CPU");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildPrivacy()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var json = CommonOptions.Json();
        var tasks = new Option<int>("--tasks") { Description = "Tasks per round (default 32; 10 rounds each side)", HelpName = "N", DefaultValueFactory = _ => 32 };
        tasks.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--tasks must be 1-100000");
            }
        });
        var command = new Command("privacy", "What encrypting a task's inputs and outputs adds (keys, commitments, ChaCha20-Poly1305) against the per-task data plumbing (.npy, blob addresses) on the same tensors")
        {
            model, tasks, store, json,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var result = PrivacyBenchmark.Run(registry, registry.Resolve(parsed.GetValue(model)!), parsed.GetValue(tasks), cancellationToken);
            if (parsed.GetValue(json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{result.Model}, {result.Tasks} tasks ({result.InputBytes} B in, {result.OutputBytes} B out): AEAD {result.AeadMegabytesPerSec:F0} MB/s (NSec's, which it replaced: {result.NsecAeadMegabytesPerSec:F0}); plumbing {result.PlumbingMicrosPerTask:F0} us/task, privacy {result.PrivacyMicrosPerTask:F0} us/task, overhead {result.Overhead:P1}");
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command BuildInference()
    {
        var model = ModelCommands.ModelOption();
        var store = ModelCommands.StoreOption();
        var device = ModelCommands.DeviceOption();
        var json = CommonOptions.Json();
        var tasks = new Option<int>("--tasks") { Description = "Tasks per round (default 16; 10 rounds each side)", HelpName = "N", DefaultValueFactory = _ => 16 };
        tasks.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--tasks must be 1-100000");
            }
        });
        var maxBatch = new Option<int>("--max-batch") { Description = "The engine's maximum batch size (default 8 on the CPU, 32 on CUDA)", HelpName = "N" };
        maxBatch.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 4096)
            {
                result.AddError("--max-batch must be 1-4096");
            }
        });
        var command = new Command("inference", "Engine throughput (queue + batching) against a bare ONNX Runtime loop on the same session and inputs")
        {
            model, tasks, maxBatch, device, store, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registry = ModelCommands.Registry(parsed, store);
            var entry = registry.Resolve(parsed.GetValue(model)!);
            int? batch = parsed.GetResult(maxBatch) is null ? null : parsed.GetValue(maxBatch);
            var options = new InferenceEngineOptions { Device = parsed.GetValue(device)!, MaxBatchSize = batch, QueueCapacity = Math.Max(256, (batch ?? 0) * 4) };
            var result = await InferenceBenchmark.RunAsync(registry, entry, parsed.GetValue(tasks), options, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{entry.Name} on {result.Device}, {result.Tasks} tasks: bare {result.BareTasksPerSec:F2}/s, engine {result.EngineTasksPerSec:F2}/s, ratio {result.Ratio:F3}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
