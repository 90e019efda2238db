using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Local.Reliability;

/// <summary>
/// <c>kill -9</c> of each role at a point of a job's life, then the same command started again:
/// the provider before and after it accepts, the API after an accept, the client after the result
/// is submitted, two verifiers during an audit. Every job must end settled, with one accept, one
/// result, one settlement and at most one verdict per verifier on the chain, and the supply conserved.
/// </summary>
internal sealed class KillScenario(CampaignNetwork network, string folder, TextWriter progress)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "kill-9";

    private const string Model = "resnet-preprocess";
    /// <summary>Tasks per job.</summary>
    public const int Tasks = 8;
    private static readonly TimeSpan EventWithin = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);

    private readonly Operator _op = network.Operator;
    private readonly Dictionary<string, RoleProcess> _roles = [];
    private readonly List<KillPoint> _points = [];

    /// <summary>Runs the kills and judges the jobs.</summary>
    public async Task<KillResult> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        try
        {
            await StartAsync("provider", cancellationToken).ConfigureAwait(false);
            foreach (var verifier in new[] { "verifier2", "verifier3", "verifier4" })
            {
                await StartAsync(verifier, cancellationToken).ConfigureAwait(false);
            }

            var jobs = new List<BigInteger>();

            // The provider dead when the job is created: started again, it must find the job.
            Kill("provider");
            var a = await SubmitAsync("a", cancellationToken).ConfigureAwait(false);
            jobs.Add(a);
            await StartAsync("provider", cancellationToken).ConfigureAwait(false);
            _points.Add(new KillPoint("provider", "before accept", a));

            // The provider killed right after its accept: it must compute and submit once.
            var b = await SubmitAsync("b", cancellationToken).ConfigureAwait(false);
            jobs.Add(b);
            await WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, b, cancellationToken).ConfigureAwait(false);
            Kill("provider");
            await StartAsync("provider", cancellationToken).ConfigureAwait(false);
            _points.Add(new KillPoint("provider", "after accept", b));

            // The API killed after an accept, before the provider fetched or uploaded.
            var c = await SubmitAsync("c", cancellationToken).ConfigureAwait(false);
            jobs.Add(c);
            await WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, c, cancellationToken).ConfigureAwait(false);
            await network.RestartApiAsync(kill: true, cancellationToken).ConfigureAwait(false);
            _points.Add(new KillPoint("api", "after accept", c));

            // The client following its job killed once the result is submitted; `client wait` follows it again.
            var before = await CreatedByClientAsync(cancellationToken).ConfigureAwait(false);
            var follower = _op.Start("client", ["client", "submit", "--dev-account", Client, "--model", Model, "--input", .. Inputs("d"), "--wait", "--json"]);
            var d = await WaitForNewJobAsync(before, follower, cancellationToken).ConfigureAwait(false);
            jobs.Add(d);
            await WaitForEventAsync<ResultSubmittedEventDTO>(network.Deployment.JobMarket, e => e.JobId, d, cancellationToken).ConfigureAwait(false);
            follower.Kill();
            follower.Dispose();
            _points.Add(new KillPoint("client", "after submit", d));

            // Two of the three verifiers killed during an audit.
            var e = await SubmitAsync("e", cancellationToken).ConfigureAwait(false);
            jobs.Add(e);
            await WaitForEventAsync<AuditOpenedEventDTO>(network.Deployment.AuditCourt, x => x.JobId, e, cancellationToken).ConfigureAwait(false);
            Kill("verifier2");
            Kill("verifier3");
            await StartAsync("verifier2", cancellationToken).ConfigureAwait(false);
            await StartAsync("verifier3", cancellationToken).ConfigureAwait(false);
            _points.Add(new KillPoint("verifier", "during audit", e));

            await progress.WriteLineAsync($"client wait for jobs {string.Join(' ', jobs)}").ConfigureAwait(false);
            var wait = await _op.RunAsync(["client", "wait", "--dev-account", Client, .. jobs.Select(j => j.ToString(CultureInfo.InvariantCulture)), "--json"], cancellationToken, timeout: EndWithin).ConfigureAwait(false);
            return await JudgeAsync(jobs, wait, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var role in _roles.Values)
            {
                role.Dispose();
            }
        }
    }

    private static string Client => BadInputsScenario.Client.ToString(CultureInfo.InvariantCulture);

    private async Task<KillResult> JudgeAsync(List<BigInteger> jobs, CommandResult wait, CancellationToken cancellationToken)
    {
        var market = network.Deployment.JobMarket;
        var accepted = await CountAsync<JobAcceptedEventDTO>(market, e => e.JobId, cancellationToken).ConfigureAwait(false);
        var submitted = await CountAsync<ResultSubmittedEventDTO>(market, e => e.JobId, cancellationToken).ConfigureAwait(false);
        var settled = await CountAsync<JobSettledEventDTO>(market, e => e.JobId, cancellationToken).ConfigureAwait(false);
        var expired = await CountAsync<JobExpiredEventDTO>(market, e => e.JobId, cancellationToken).ConfigureAwait(false);
        var verdicts = await CountAsync<VerdictSubmittedEventDTO, (BigInteger, string)>(network.Deployment.AuditCourt, e => (e.JobId, e.Verifier.ToUpperInvariant()), cancellationToken).ConfigureAwait(false);
        var views = new List<KillJob>();
        var duplicates = 0;
        foreach (var job in jobs)
        {
            int Of(Dictionary<BigInteger, int> counts) => counts.GetValueOrDefault(job);
            var view = new KillJob(job.ToString(CultureInfo.InvariantCulture), Of(accepted), Of(submitted), Of(settled), Of(expired));
            duplicates += Math.Max(0, view.Accepted - 1) + Math.Max(0, view.Submitted - 1) + Math.Max(0, view.Settled + view.Expired - 1);
            views.Add(view);
        }

        duplicates += verdicts.Values.Sum(v => Math.Max(0, v - 1));
        var conserved = await SupplyCheck.ConservedAsync(network.Web3, network.Deployment, BadInputsScenario.Accounts, cancellationToken).ConfigureAwait(false);
        return new KillResult(
            _points, views, views.Count(v => v.Settled != 1), duplicates, conserved,
            wait.ExitCode, Shorten(wait.ExitCode == 0 ? wait.Stdout : wait.Stderr));
    }

    private async Task<BigInteger> SubmitAsync(string name, CancellationToken cancellationToken)
    {
        var stdout = await _op.RunCheckedAsync(["client", "submit", "--dev-account", Client, "--model", Model, "--input", .. Inputs(name), "--json"], cancellationToken).ConfigureAwait(false);
        using var summary = JsonDocument.Parse(stdout);
        var id = BigInteger.Parse(summary.RootElement.GetProperty("jobIds")[0].GetString()!, CultureInfo.InvariantCulture);
        await progress.WriteLineAsync($"job {id} created").ConfigureAwait(false);
        return id;
    }

    /// <summary>Eight distinct inputs of the image model for job <paramref name="name"/>.</summary>
    private string[] Inputs(string name)
    {
        var shape = new long[] { 1, 3, 224, 224 };
        var count = shape.Aggregate(1L, (x, y) => x * y);
        return [.. Enumerable.Range(0, Tasks).Select(i =>
        {
            var path = Path.Combine(folder, $"{name}-{i}.npy");
            File.WriteAllBytes(path, NpyBytes.File(NpyBytes.Header(shape), NpyBytes.Floats(count, (name[0] * 16) + i)));
            return path;
        })];
    }

    private async Task StartAsync(string role, CancellationToken cancellationToken)
    {
        if (_roles.Remove(role, out var old))
        {
            old.Dispose();
        }

        var data = Path.Combine(folder, role);
        string[] arguments = role == "provider"
            ? ["provider", "run", "--dev-account", "1", "--model", Model, "--unit-price", "1", "--stake", "1000", "--data", data]
            : ["verifier", "run", "--dev-account", role[^1..], "--stake", "200", "--data", data];
        _roles[role] = await _op.StartAsync(role, arguments, role == "provider" ? "offers" : "ready", ReadyWithin, cancellationToken).ConfigureAwait(false);
    }

    private void Kill(string role)
    {
        _roles[role].Kill();
        progress.WriteLine($"kill -9 {role}");
    }

    private async Task<int> CreatedByClientAsync(CancellationToken cancellationToken) =>
        (await CountAsync<JobCreatedEventDTO>(network.Deployment.JobMarket, e => e.JobId, cancellationToken).ConfigureAwait(false)).Count;

    private async Task<BigInteger> WaitForNewJobAsync(int before, RoleProcess follower, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < EventWithin)
        {
            var created = await CountAsync<JobCreatedEventDTO>(network.Deployment.JobMarket, e => e.JobId, cancellationToken).ConfigureAwait(false);
            if (created.Count > before)
            {
                return created.Keys.Max();
            }

            if (!follower.Running)
            {
                throw new InvalidOperationException($"client submit --wait exited before creating its job: {follower.Tail(10)}");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"the client created no job within {EventWithin}: {follower.Tail(10)}");
    }

    private async Task WaitForEventAsync<TEvent>(string contract, Func<TEvent, BigInteger> jobOf, BigInteger job, CancellationToken cancellationToken)
        where TEvent : IEventDTO, new()
    {
        var clock = Stopwatch.StartNew();
        while ((await CountAsync(contract, jobOf, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(job) == 0)
        {
            if (clock.Elapsed > EventWithin)
            {
                throw new TimeoutException($"no {typeof(TEvent).Name.Replace("EventDTO", "", StringComparison.Ordinal)} for job {job} within {EventWithin}: "
                    + string.Join(" || ", _roles.Values.Select(r => $"{r.Name}: {r.Tail(6)}")));
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many events of a kind each job (or key) has on the chain.</summary>
    private Task<Dictionary<BigInteger, int>> CountAsync<TEvent>(string contract, Func<TEvent, BigInteger> jobOf, CancellationToken cancellationToken)
        where TEvent : IEventDTO, new() =>
        CountAsync<TEvent, BigInteger>(contract, jobOf, cancellationToken);

    private async Task<Dictionary<TKey, int>> CountAsync<TEvent, TKey>(string contract, Func<TEvent, TKey> keyOf, CancellationToken cancellationToken)
        where TEvent : IEventDTO, new()
        where TKey : notnull
    {
        var handler = network.Web3.Eth.GetEvent<TEvent>(contract);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(new BlockParameter(network.Deployment.StartBlock), BlockParameter.CreateLatest()))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return logs.GroupBy(l => keyOf(l.Event)).ToDictionary(g => g.Key, g => g.Count());
    }

    private static string Shorten(string text) => text.Length <= 400 ? text.Trim() : text[..397].Trim() + "...";
}

/// <summary>Where a role was killed.</summary>
/// <param name="Role">provider, verifier, client or api.</param>
/// <param name="When">The point of the job's life.</param>
/// <param name="JobId">The job in flight.</param>
public sealed record KillPoint(string Role, string When, BigInteger JobId);

/// <summary>One job's events on the chain after the kills.</summary>
public sealed record KillJob(string JobId, int Accepted, int Submitted, int Settled, int Expired);

/// <summary>The kill scenario's result.</summary>
/// <param name="Kills">Each kill.</param>
/// <param name="Jobs">Each job's events.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance.</param>
/// <param name="WaitExitCode">client wait's exit code (0: every job settled).</param>
/// <param name="Wait">What client wait printed, shortened.</param>
public sealed record KillResult(IReadOnlyList<KillPoint> Kills, IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool Conserved, int WaitExitCode, string Wait);
