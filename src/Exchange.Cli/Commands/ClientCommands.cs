using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Cli.Infrastructure;
using Exchange.Core.Jobs;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Hosting;
using Exchange.Node.Offers;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange client</c>: deposit, withdraw, balance; submit work and follow it; status, wait, fetch,
/// audit and expire of jobs; the caller's jobs. Every job is reported as it ended: settled after an
/// audit, settled unaudited, slashed (with the verdict), expired and refunded, or still pending.
/// </summary>
internal static class ClientCommands
{
    /// <summary>
    /// The client's warnings (a log subscription lost), on stderr. Never disposed: a command runs
    /// once per process, and the session logs until it ends.
    /// </summary>
    private static readonly ILoggerFactory Warnings = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));

    public static Command Build()
    {
        var client = new Command("client", "Buy inference: deposit, submit inputs as jobs, fetch verified outputs");
        client.Subcommands.Add(BuildDeposit());
        client.Subcommands.Add(BuildWithdraw());
        client.Subcommands.Add(BuildBalance());
        client.Subcommands.Add(BuildSubmit());
        client.Subcommands.Add(BuildStatus());
        client.Subcommands.Add(BuildWait());
        client.Subcommands.Add(BuildFetch());
        client.Subcommands.Add(BuildAudit());
        client.Subcommands.Add(BuildExpire());
        client.Subcommands.Add(BuildJobs());
        return client;
    }

    /// <summary>
    /// <c>--tasks-per-job auto|N</c>: the largest job, or <c>auto</c> (null) to let the client size jobs
    /// from the gas a job costs and the latency asked for (<see cref="JobSizing"/>).
    /// </summary>
    internal static Option<int?> TasksPerJob() => new("--tasks-per-job")
    {
        Description = $"Tasks per job, or auto: jobs large enough for at most {JobSizing.GasPerTaskTarget:N0} gas per task, small enough for --latency at the offers' declared rate (default auto)",
        HelpName = "auto|N",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (text == "auto")
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 1)
            {
                return size;
            }

            result.AddError($"--tasks-per-job must be auto or a whole number of at least 1, not '{text}'");
            return null;
        },
    };

    private static Argument<string> AmountArgument() => new("amount") { Description = "Amount in tokens, e.g. 100 or 0.5" };

    private static Argument<BigInteger> JobIdArgument() => new("job-id")
    {
        Description = "The job's id",
        CustomParser = result => ParseJobId(result, result.Tokens.Single().Value),
    };

    private static Argument<BigInteger[]> JobIdsArgument() => new("job-ids")
    {
        Description = "The jobs' ids",
        Arity = ArgumentArity.OneOrMore,
        CustomParser = result => [.. result.Tokens.Select(t => ParseJobId(result, t.Value)).Distinct()],
    };

    private static BigInteger ParseJobId(System.CommandLine.Parsing.ArgumentResult result, string text)
    {
        if (BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }

        result.AddError($"a job id is a positive whole number, not '{text}'");
        return BigInteger.Zero;
    }

    private static Option<bool> NoAvailabilityCheck() => new("--no-availability-check")
    {
        Description = "Do not fetch and prove each result's outputs within its challenge window (by default a job whose outputs are missing or do not prove is sent to audit, at the client audit fee)",
    };

    private static Command BuildDeposit()
    {
        var common = new ProviderAndVerifierOptions();
        var amount = AmountArgument();
        var json = CommonOptions.Json();
        var command = new Command("deposit", "Move tokens into your market balance (one transaction, with an EIP-2612 permit)") { amount, json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var value = Amount(parsed.GetValue(amount)!);
            var (session, _) = await SessionAsync(common, parsed, null, ct).ConfigureAwait(false);
            await session.DepositAsync(value, ct).ConfigureAwait(false);
            return await PrintBalanceAsync(session.Market, session.Market.Address, parsed.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command BuildWithdraw()
    {
        var common = new ProviderAndVerifierOptions();
        var amount = AmountArgument();
        var json = CommonOptions.Json();
        var command = new Command("withdraw", "Move tokens from your market balance back to your address") { amount, json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var value = Amount(parsed.GetValue(amount)!);
            var market = await NodeFactory.ConnectAsync(common.ToNodeOptions(parsed), common.Account.Resolve(parsed), ct).ConfigureAwait(false);
            var balance = await market.MarketBalanceAsync(market.Address, ct).ConfigureAwait(false);
            if (value > balance)
            {
                throw new CliException($"your market balance is {TokenUnits.Format(balance)} tokens; cannot withdraw {TokenUnits.Format(value)}");
            }

            await market.SendMarketAsync(new WithdrawFunction { Amount = value }, ct).ConfigureAwait(false);
            return await PrintBalanceAsync(market, market.Address, parsed.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command BuildBalance()
    {
        var common = new ProviderAndVerifierOptions();
        var json = CommonOptions.Json();
        var command = new Command("balance", "Your tokens, market balance and stake") { json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var market = await NodeFactory.ConnectAsync(common.ToNodeOptions(parsed), Nethereum.Signer.EthECKey.GenerateKey(), ct).ConfigureAwait(false);
            return await PrintBalanceAsync(market, common.Account.ResolveAddress(parsed), parsed.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command BuildSubmit()
    {
        var common = new ProviderAndVerifierOptions();
        var model = new Option<string>("--model") { Description = "Model to run, by name or id", Required = true };
        var inputs = new Option<FileInfo[]>("--input")
        {
            Description = "Inputs: images or .npy tensors (one task each), folders of <input>.npy (multi-input models), or for text models .txt/.jsonl files (one task per line)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "FILES",
        };
        var perJob = TasksPerJob();
        var latency = new Option<int?>("--latency")
        {
            Description = "Seconds one job may take at its offer's declared rate (maxTasks per minTurnaround); sizes jobs with --tasks-per-job auto (default: half of --deadline)",
            HelpName = "SECONDS",
        };
        var region = new Option<string?>("--region") { Description = "Only offers from this region" };
        var maxPrice = new Option<string?>("--max-unit-price") { Description = "Only offers up to this price per task, in tokens", HelpName = "TOKENS" };
        var deadline = new Option<int>("--deadline") { Description = "Seconds the providers have for their results (default 600)", DefaultValueFactory = _ => 600 };
        var wait = new Option<bool>("--wait") { Description = "Follow the jobs until they end, checking each result's outputs within its challenge window, then download the outputs of settled jobs" };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for the outputs (.npy) with --wait", HelpName = "DIR" };
        var isPublic = new Option<bool>("--public") { Description = "Send inputs and get outputs in the clear, readable by anyone (default: encrypted to the chosen provider's key; see docs/privacy.md)" };
        var noCheck = NoAvailabilityCheck();
        var json = CommonOptions.Json();
        var command = new Command("submit", "Split inputs into jobs over the best offers, create them, and (with --wait) follow them to verified outputs; exits 3 when a job ends slashed or expired")
        {
            model, inputs, perJob, latency, region, maxPrice, deadline, wait, output, isPublic, noCheck, json,
        };
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(output) is not null && result.GetResult(wait) is null)
            {
                result.AddError("--out needs --wait: outputs exist once the jobs are computed");
            }
        });
        command.SetAction(async (parsed, ct) =>
        {
            var clock = Stopwatch.StartNew();
            if (parsed.GetValue(deadline) < 10)
            {
                throw new CliException("--deadline must be at least 10 seconds", ExitCodes.Usage);
            }

            var latencySeconds = parsed.GetValue(latency) ?? parsed.GetValue(deadline) / 2;
            if (latencySeconds < 1 || latencySeconds > parsed.GetValue(deadline))
            {
                throw new CliException($"--latency must be between 1 second and --deadline ({parsed.GetValue(deadline)} s): a job that takes longer expires", ExitCodes.Usage);
            }

            var files = parsed.GetValue(inputs)!;
            var missing = files.FirstOrDefault(f => !f.Exists && !Directory.Exists(f.FullName));
            if (missing is not null)
            {
                throw new CliException($"input {missing.FullName} does not exist", ExitCodes.Usage);
            }

            var (session, api) = await SessionAsync(common, parsed, parsed.GetValue(model), ct, parsed.GetValue(isPublic)).ConfigureAwait(false);

            var tasks = ClientTask.FromPaths(files.Select(f => f.FullName), session.Card, Registry());
            var maxUnitPrice = parsed.GetValue(maxPrice) is { } p ? (BigInteger?)Amount(p) : null;
            var offers = await OfferDirectory.ListAsync(api, session.Card.ModelId, parsed.GetValue(region), maxUnitPrice, session.Market.Domain, ct).ConfigureAwait(false);
            if (offers.Count == 0)
            {
                throw new CliException($"no live offer for model '{session.Card.Name}' matches (region, price) on {string.Join(", ", api.Apis)}");
            }

            var quiet = parsed.GetValue(json);
            var size = await session.SizeJobsAsync(tasks.Count, offers, TimeSpan.FromSeconds(latencySeconds), parsed.GetValue(perJob), ct).ConfigureAwait(false);
            if (!quiet)
            {
                Output.Line(size.ToString());
            }

            IReadOnlyList<ClientJob> created = [];
            var waited = false;
            await Stages(quiet, tasks.Count, async (uploaded, createdBar, computed, audited, settled) =>
            {
                var prepared = await session.PrepareAsync(tasks, offers, size.TasksPerJob, uploaded, ct).ConfigureAwait(false);
                created = await session.CreateAsync(prepared, TimeSpan.FromSeconds(parsed.GetValue(deadline)), 16, createdBar, ct).ConfigureAwait(false);
                if (parsed.GetValue(wait))
                {
                    await session.WaitAsync([.. created.Select(c => (c.JobId, c.Record))], new Progress<ClientProgress>(progress =>
                    {
                        computed?.Report(progress.Computed);
                        audited?.Report(progress.Audited);
                        settled?.Report(progress.Settled);
                    }), TimeSpan.FromSeconds(1), !parsed.GetValue(noCheck), ct).ConfigureAwait(false);
                    waited = true;
                }
            }).ConfigureAwait(false);

            var outcomes = waited ? await OutcomesAsync(session, [.. created.Select(c => (c.JobId, c.Record))], ct).ConfigureAwait(false) : [];
            var written = 0;
            var unwritten = new List<string>();
            if (waited && parsed.GetValue(output) is { } folder)
            {
                folder.Create();
                foreach (var job in created.Where(j => outcomes.Single(o => o.JobId == j.JobId).End is JobEnd.SettledAudited or JobEnd.SettledUnaudited))
                {
                    var record = await JobLookup.FindAsync(session.Market, job.JobId, ct).ConfigureAwait(false);
                    try
                    {
                        var results = await session.FetchAsync(job.JobId, record!, ct).ConfigureAwait(false);
                        written += WriteOutputs(folder, session.Card, results, i => tasks[job.Prepared.Slice.FirstTask + i].Stem, "");
                    }
                    catch (Exception e) when (e is OutputRejectedException or ExchangeApiException)
                    {
                        // Settled, yet its outputs cannot be had: the client did not get what it paid for.
                        unwritten.Add($"job {job.JobId}: outputs not written: {e.Message}");
                    }
                }
            }

            var cost = await session.CostAsync([.. created.Select(c => c.Prepared)], ct).ConfigureAwait(false);
            int? Count(Func<JobOutcome, bool> predicate) => waited ? outcomes.Count(predicate) : null;
            var summary = new SubmitSummary(
                tasks.Count, created.Count, [.. created.Select(c => c.JobId.ToString(CultureInfo.InvariantCulture))],
                TokenUnits.Format(cost), session.GasUsed.ToString(CultureInfo.InvariantCulture), Math.Round(clock.Elapsed.TotalSeconds, 1),
                Count(o => o.Status == JobStatus.Settled), Count(o => o.End == JobEnd.SettledAudited), Count(o => o.End == JobEnd.SettledUnaudited),
                Count(o => o.End == JobEnd.Slashed), Count(o => o.End == JobEnd.Expired), written, [.. unwritten],
                waited ? [.. outcomes.Select(o => View(o, session.Availability))] : null, size.TasksPerJob, size.GasPerTask);
            if (quiet)
            {
                Output.Json(summary);
            }
            else
            {
                var table = new Table().AddColumns("tasks", "jobs", "cost (tokens)", "gas", "seconds", "settled audited", "settled unaudited", "slashed", "expired", "outputs written");
                table.AddRow(
                    Text(summary.Tasks), Text(summary.Jobs), summary.Cost, summary.Gas, Text(summary.Seconds), Text(summary.SettledAudited), Text(summary.SettledUnaudited),
                    Text(summary.Slashed), Text(summary.Expired), Text(summary.OutputsWritten));
                AnsiConsole.Write(table);
                Output.Line($"jobs: {string.Join(' ', summary.JobIds)}");
                PrintOutcomes(summary.Outcomes ?? []);
                unwritten.ForEach(Output.Line);
            }

            return outcomes.Any(o => o.Failed) || unwritten.Count > 0 ? ExitCodes.JobsFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildStatus()
    {
        var common = new ProviderAndVerifierOptions();
        var jobId = JobIdArgument();
        var json = CommonOptions.Json();
        var command = new Command("status", "A job's status, how it ended, and its record, from the chain") { jobId, json };
        common.AddTo(command, accountRequired: false);
        command.SetAction(async (parsed, ct) =>
        {
            var market = await NodeFactory.ConnectAsync(common.ToNodeOptions(parsed), Nethereum.Signer.EthECKey.GenerateKey(), ct).ConfigureAwait(false);
            var id = parsed.GetValue(jobId);
            var record = await JobLookup.FindAsync(market, id, ct).ConfigureAwait(false) ?? throw new CliException($"there is no job {id}");
            var outcome = await JobOutcome.ReadAsync(market, id, record, ct).ConfigureAwait(false);
            var view = new JobView(id.ToString(CultureInfo.InvariantCulture), outcome.Status.ToString(), outcome.EndName, outcome.Detail, record.Client, record.Provider,
                record.ModelId.ToString(), TokenUnits.Format(record.UnitPrice), record.TaskCount, JobOutcome.Date(record.Deadline),
                record.IsSubmitted ? JobOutcome.Date(record.SubmittedAt) : null, record.IsSubmitted ? record.ResultRoot.ToString() : null,
                record.IsSubmitted ? record.OutputsHash.ToString() : null);
            if (parsed.GetValue(json))
            {
                Output.Json(view);
            }
            else
            {
                Output.Line($"job {view.JobId}: {view.Detail}");
                Output.Line($"{view.Tasks} tasks of {view.ModelId} at {view.UnitPrice} tokens each, client {view.Client}, provider {view.Provider}, due {view.Deadline}");
                if (view.ResultRoot is not null)
                {
                    Output.Line($"result submitted {view.SubmittedAt}: root {view.ResultRoot}, outputs {view.OutputsHash}");
                }
            }

            return outcome.Failed ? ExitCodes.JobsFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildWait()
    {
        var common = new ProviderAndVerifierOptions();
        var jobIds = JobIdsArgument();
        var noCheck = NoAvailabilityCheck();
        var json = CommonOptions.Json();
        var command = new Command("wait", "Follow your jobs until each ends, checking each result's outputs within its challenge window; exits 3 when a job ends slashed or expired")
        {
            jobIds, noCheck, json,
        };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var ids = parsed.GetValue(jobIds)!;
            var (session, _) = await SessionForJobAsync(common, parsed, ids[0], ct).ConfigureAwait(false);
            var jobs = new List<(BigInteger JobId, Job Record)>(ids.Length);
            foreach (var id in ids)
            {
                var record = await JobLookup.FindAsync(session.Market, id, ct).ConfigureAwait(false) ?? throw new CliException($"there is no job {id}");
                if (record.ModelId != session.Card.ModelId)
                {
                    throw new CliException($"jobs {ids[0]} and {id} run different models; wait for them separately", ExitCodes.Usage);
                }

                jobs.Add((id, record));
            }

            await session.WaitAsync(jobs, null, TimeSpan.FromSeconds(1), !parsed.GetValue(noCheck), ct).ConfigureAwait(false);
            var outcomes = await OutcomesAsync(session, jobs, ct).ConfigureAwait(false);
            var views = outcomes.Select(o => View(o, session.Availability)).ToList();
            if (parsed.GetValue(json))
            {
                Output.Json(views);
            }
            else
            {
                PrintOutcomes(views);
            }

            return outcomes.Any(o => o.Failed) ? ExitCodes.JobsFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildFetch()
    {
        var common = new ProviderAndVerifierOptions();
        var jobId = JobIdArgument();
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs (.npy)", Required = true, HelpName = "DIR" };
        var model = new Option<string?>("--model") { Description = "The job's model, by name or id (default: the job's model id)" };
        var includeSlashed = new Option<bool>("--include-slashed")
        {
            Description = "Also write the outputs of a slashed job (judged wrong), into DIR/slashed/ with names ending .slashed.npy",
        };
        var json = CommonOptions.Json();
        var command = new Command("fetch", "Download a job's outputs, each checked against the provider's signed result root; a slashed job's only with --include-slashed")
        {
            jobId, output, model, includeSlashed, json,
        };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var id = parsed.GetValue(jobId);
            var (session, _) = await SessionForJobAsync(common, parsed, id, ct).ConfigureAwait(false);
            var record = (await JobLookup.FindAsync(session.Market, id, ct).ConfigureAwait(false))!;
            if (!record.IsSubmitted)
            {
                throw new CliException($"job {id} has no result yet");
            }

            var outcome = await JobOutcome.ReadAsync(session.Market, id, record, ct).ConfigureAwait(false);
            var slashed = outcome.End == JobEnd.Slashed;
            if (slashed && !parsed.GetValue(includeSlashed))
            {
                throw new CliException($"job {id} was {outcome.Detail}: its outputs were judged wrong and are not written (--include-slashed writes them, marked as slashed)");
            }

            var results = await session.FetchAsync(id, record, ct).ConfigureAwait(false);
            var folder = parsed.GetValue(output)!;
            if (slashed)
            {
                folder = folder.CreateSubdirectory("slashed");
            }

            folder.Create();
            var written = WriteOutputs(folder, session.Card, results, i => $"job{id}-task{i}", slashed ? ".slashed" : "");
            if (parsed.GetValue(json))
            {
                Output.Json(new FetchView(id.ToString(CultureInfo.InvariantCulture), outcome.EndName, outcome.Detail, written, folder.FullName, slashed));
            }
            else
            {
                Output.Line(slashed
                    ? $"{written} output(s) of SLASHED job {id} written to {folder.FullName} as *.slashed.npy: they are what the provider signed, and they were judged wrong ({outcome.Detail})"
                    : $"{written} output(s) of job {id} ({outcome.Detail}) checked against result root {record.ResultRoot} and written to {folder.FullName}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildAudit()
    {
        var common = new ProviderAndVerifierOptions();
        var jobId = JobIdArgument();
        var json = CommonOptions.Json();
        var command = new Command("audit", "Ask for an audit of your submitted job within its challenge window (you pay the audit fee)") { jobId, json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var id = parsed.GetValue(jobId);
            var (session, _) = await SessionForJobAsync(common, parsed, id, ct).ConfigureAwait(false);
            var record = (await JobLookup.FindAsync(session.Market, id, ct).ConfigureAwait(false))!;
            var fee = await session.RequestAuditAsync(id, record, ct).ConfigureAwait(false);
            var view = new AuditView(id.ToString(CultureInfo.InvariantCulture), (await session.Market.StatusAsync(id, ct).ConfigureAwait(false)).ToString(), TokenUnits.Format(fee));
            if (parsed.GetValue(json))
            {
                Output.Json(view);
            }
            else
            {
                Output.Line($"audit of job {view.JobId} requested for {view.Fee} tokens; status {view.Status}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildExpire()
    {
        var common = new ProviderAndVerifierOptions();
        var jobIds = JobIdsArgument();
        var json = CommonOptions.Json();
        var command = new Command("expire", "Reclaim the money of jobs whose deadline passed without a result (created or accepted): one transaction") { jobIds, json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var market = await NodeFactory.ConnectAsync(common.ToNodeOptions(parsed), common.Account.Resolve(parsed), ct).ConfigureAwait(false);
            var (_, _, now) = await market.ChainNowAsync(ct).ConfigureAwait(false);
            var jobs = new List<(BigInteger JobId, Job Record)>();
            foreach (var id in parsed.GetValue(jobIds)!)
            {
                var record = await JobLookup.FindAsync(market, id, ct).ConfigureAwait(false) ?? throw new CliException($"there is no job {id}");
                var status = await market.StatusAsync(id, ct).ConfigureAwait(false);
                if (status is not (JobStatus.Created or JobStatus.Accepted))
                {
                    throw new CliException($"job {id} is {status.ToString().ToLowerInvariant()}: only a job still waiting for its result can expire");
                }

                if (record.Deadline >= now)
                {
                    throw new CliException($"job {id} is due {JobOutcome.Date(record.Deadline)}; it can expire after that (chain time now {JobOutcome.Date(now)})");
                }

                jobs.Add((id, record));
            }

            var receipt = await market.ExpireAsync(jobs, ct).ConfigureAwait(false);
            var views = receipt.Decode<JobExpiredEventDTO>()
                .Select(e => new ExpiredView(e.JobId.ToString(CultureInfo.InvariantCulture), TokenUnits.Format(e.Refund), TokenUnits.Format(e.Slashed)))
                .ToList();
            if (parsed.GetValue(json))
            {
                Output.Json(views);
            }
            else
            {
                foreach (var view in views)
                {
                    Output.Line($"job {view.JobId} expired: {view.Refund} tokens refunded to the client ({view.Slashed} tokens of the provider's collateral slashed)");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildJobs()
    {
        var common = new ProviderAndVerifierOptions();
        var json = CommonOptions.Json();
        var command = new Command("jobs", "Your jobs, newest first, with status and audit, from the exchange API's index of the chain") { json };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var address = common.Account.ResolveAddress(parsed);
            var api = common.ApiClient(parsed);
            var jobs = await JobBook.OfClientAsync(api, address, ct).ConfigureAwait(false);
            var views = jobs.Select(j => new IndexedJobView(
                j.Id.ToString(CultureInfo.InvariantCulture), j.Status, j.Audit, j.Provider, j.TaskCount, TokenUnits.Format(j.UnitPriceUnits),
                JobOutcome.Date((ulong)Math.Max(0, j.UpdatedAt)))).ToList();
            if (parsed.GetValue(json))
            {
                Output.Json(views);
            }
            else if (views.Count == 0)
            {
                Output.Line($"{address} has no jobs on {string.Join(", ", api.Apis)}");
            }
            else
            {
                var table = new Table().AddColumns("job", "status", "audit", "tasks", "unit price (tokens)", "provider", "updated");
                foreach (var view in views)
                {
                    table.AddRow(view.JobId, view.Status, view.Audit, Text(view.Tasks), view.UnitPrice, view.Provider, view.Updated);
                }

                AnsiConsole.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<JobOutcome>> OutcomesAsync(ClientSession session, List<(BigInteger JobId, Job Record)> jobs, CancellationToken ct)
    {
        var outcomes = new List<JobOutcome>(jobs.Count);
        foreach (var (id, record) in jobs)
        {
            outcomes.Add(await JobOutcome.ReadAsync(session.Market, id, record, ct).ConfigureAwait(false));
        }

        return outcomes;
    }

    private static OutcomeView View(JobOutcome outcome, IReadOnlyDictionary<BigInteger, AvailabilityCheck> availability) => new(
        outcome.JobId.ToString(CultureInfo.InvariantCulture), outcome.Status.ToString(), outcome.EndName, outcome.Detail,
        availability.TryGetValue(outcome.JobId, out var check) ? check.Describe() : null, check?.AuditRequested ?? false);

    private static void PrintOutcomes(IReadOnlyList<OutcomeView> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Output.Line($"job {outcome.JobId}: {outcome.Detail}{(outcome.Availability is { } a ? $" ({a})" : "")}");
        }
    }

    private static async Task<(ClientSession Session, ExchangeApiClient Api)> SessionAsync(ProviderAndVerifierOptions common, ParseResult parsed, string? model, CancellationToken ct, bool isPublic = false)
    {
        var key = common.Account.Resolve(parsed);
        var node = common.ToNodeOptions(parsed);
        var market = await NodeFactory.ConnectAsync(node, key, ct).ConfigureAwait(false);
        var api = common.ApiClient(parsed).SignedBy(key);
        var card = model is null ? PlaceholderCard() : Registry().Resolve(model).Card;
        return (new ClientSession(market, api, card, key, TimeProvider.System) { Public = isPublic, WsUrl = node.WsUrl, Logger = Warnings.CreateLogger("client") }, api);
    }

    private static async Task<(ClientSession Session, ExchangeApiClient Api)> SessionForJobAsync(ProviderAndVerifierOptions common, ParseResult parsed, BigInteger id, CancellationToken ct)
    {
        var (probe, _) = await SessionAsync(common, parsed, null, ct).ConfigureAwait(false);
        var record = await JobLookup.FindAsync(probe.Market, id, ct).ConfigureAwait(false) ?? throw new CliException($"there is no job {id}");
        var entry = Registry().Find(record.ModelId) ?? throw new CliException($"job {id} runs model {record.ModelId}, which this machine does not know");
        return await SessionAsync(common, parsed, entry.ModelId.ToString(), ct).ConfigureAwait(false);
    }

    private static ModelRegistry Registry() => new(new ModelStore(ModelStore.DefaultRoot));

    // Commands that run no model still hold a session's card: the smallest built-in one, so no large model is built for them.
    private static ModelCard PlaceholderCard() => Registry().Resolve(BuiltInModels.ResNetPreprocess).Card;

    private static async Task<int> PrintBalanceAsync(MarketClient market, string address, bool json, CancellationToken ct)
    {
        var tokens = await market.TokenBalanceAsync(address, ct).ConfigureAwait(false);
        var balance = await market.MarketBalanceAsync(address, ct).ConfigureAwait(false);
        var vault = await market.VaultAccountAsync(address, ct).ConfigureAwait(false);
        var view = new BalanceView(address, TokenUnits.Format(tokens), TokenUnits.Format(balance), TokenUnits.Format(vault.Stake), TokenUnits.Format(vault.Locked));
        if (json)
        {
            Output.Json(view);
        }
        else
        {
            Output.Line($"{view.Address}: {view.Tokens} tokens, {view.MarketBalance} in the market, {view.Stake} staked ({view.Locked} locked)");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Writes each task's outputs as <c>&lt;stem&gt;.&lt;output name&gt;&lt;mark&gt;.npy</c>.</summary>
    private static int WriteOutputs(DirectoryInfo folder, ModelCard card, IReadOnlyList<IReadOnlyList<Tensor>> results, Func<int, string> stem, string mark)
    {
        var written = 0;
        for (var t = 0; t < results.Count; t++)
        {
            for (var o = 0; o < results[t].Count; o++)
            {
                var file = Path.Combine(folder.FullName, $"{stem(t)}.{card.Outputs[o].Name}{mark}.npy");
                File.WriteAllBytes(file, Npy.Write(results[t][o]));
                written++;
            }
        }

        return written;
    }

    private static BigInteger Amount(string text)
    {
        try
        {
            var value = TokenUnits.Parse(text);
            return value > 0 ? value : throw new CliException("the amount must be above 0", ExitCodes.Usage);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    private static async Task Stages(bool quiet, int total, Func<IProgress<int>?, IProgress<int>?, IProgress<int>?, IProgress<int>?, IProgress<int>?, Task> work)
    {
        if (quiet || Console.IsOutputRedirected)
        {
            await work(null, null, null, null, null).ConfigureAwait(false);
            return;
        }

        await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
        {
            IProgress<int> Bar(string name)
            {
                var task = context.AddTask(name, maxValue: total);
                return new Progress<int>(value => task.Value = value);
            }

            await work(Bar("uploaded"), Bar("created"), Bar("computed"), Bar("audited"), Bar("settled")).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static string Text<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-";

    private sealed record SubmitSummary(
        int Tasks, int Jobs, string[] JobIds, string Cost, string Gas, double Seconds, int? Settled, int? SettledAudited, int? SettledUnaudited, int? Slashed,
        int? Expired, int OutputsWritten, string[] OutputsNotWritten, IReadOnlyList<OutcomeView>? Outcomes, int TasksPerJob, long ExpectedGasPerTask);

    /// <summary>How a job ended: <c>outcome</c> is settled-audited, settled-unaudited, slashed, expired or pending; <c>detail</c> says who judged it and what moved.</summary>
    private sealed record OutcomeView(string JobId, string Status, string Outcome, string Detail, string? Availability, bool AuditRequested);

    private sealed record JobView(
        string JobId, string Status, string Outcome, string Detail, string Client, string Provider, string ModelId, string UnitPrice, uint Tasks, string Deadline,
        string? SubmittedAt, string? ResultRoot, string? OutputsHash);

    private sealed record ExpiredView(string JobId, string Refund, string Slashed);

    private sealed record AuditView(string JobId, string Status, string Fee);

    /// <summary>What fetch wrote: <c>slashed</c> when the outputs were judged wrong and written marked, apart.</summary>
    private sealed record FetchView(string JobId, string Outcome, string Detail, int Written, string Folder, bool Slashed);

    private sealed record IndexedJobView(string JobId, string Status, string Audit, string Provider, long Tasks, string UnitPrice, string Updated);

    private sealed record BalanceView(string Address, string Tokens, string MarketBalance, string Stake, string Locked);
}
