using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Local.Reliability;

/// <summary>
/// The roles that do the work, as separate processes on the campaign's network: a provider
/// (dev account 1, the image model's plumbing), three verifiers (2-4) and the client (5), started,
/// killed and started again by name; and what the chain says about their jobs.
/// </summary>
internal sealed class CampaignRoles(CampaignNetwork network, string folder, TextWriter progress) : IDisposable
{
    /// <summary>Tasks per job.</summary>
    public const int Tasks = 8;

    /// <summary>The provider's largest job, in tasks (its <c>--max-tasks</c>).</summary>
    public const int MaxTasks = 64;

    /// <summary>The verifiers' role names (their dev account is the last digit).</summary>
    public static readonly IReadOnlyList<string> Verifiers = ["verifier2", "verifier3", "verifier4"];

    private const string Model = "resnet-preprocess";
    private static readonly TimeSpan EventWithin = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);

    private readonly Operator _op = network.Operator;
    private readonly Dictionary<string, RoleProcess> _roles = [];

    /// <summary>The client's dev account, as a command-line argument.</summary>
    public static string Client => BadInputsScenario.Client.ToString(CultureInfo.InvariantCulture);

    /// <summary>The image model the provider offers.</summary>
    public static string ModelName => Model;

    /// <summary>The provider and the three verifiers, each ready.</summary>
    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await StartAsync("provider", cancellationToken).ConfigureAwait(false);
        foreach (var verifier in Verifiers)
        {
            await StartAsync(verifier, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>client wait</c> for the jobs, for at most <paramref name="within"/> (then exit code 124, as <c>timeout</c> reports it: the jobs did not end).</summary>
    public async Task<CommandResult> WaitAsync(IReadOnlyList<BigInteger> jobs, TimeSpan within, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync($"client wait for jobs {string.Join(' ', jobs)}").ConfigureAwait(false);
        try
        {
            return await _op.RunAsync(["client", "wait", "--dev-account", Client, .. jobs.Select(j => j.ToString(CultureInfo.InvariantCulture)), "--json"], cancellationToken, timeout: within).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return new CommandResult(124, "", e.Message);
        }
    }

    /// <summary>A role's last lines, joined with " | ".</summary>
    public string Tail(string role, int lines) => _roles.TryGetValue(role, out var process) ? process.Tail(lines) : "";

    /// <summary>The honest parties whose tokens an outage must not cost: the provider and the three verifiers.</summary>
    public static IReadOnlyList<string> HonestParties { get; } =
        [DevAccounts.Address(1), .. Verifiers.Select(v => DevAccounts.Address(int.Parse(v[^1..], CultureInfo.InvariantCulture)))];

    /// <summary>What each honest party owns now (<see cref="WealthAsync"/>).</summary>
    public async Task<Dictionary<string, BigInteger>> HonestWealthAsync(CancellationToken cancellationToken)
    {
        var wealth = new Dictionary<string, BigInteger>();
        foreach (var account in HonestParties)
        {
            wealth[account] = await WealthAsync(account, cancellationToken).ConfigureAwait(false);
        }

        return wealth;
    }

    /// <summary>
    /// An outage with jobs in flight, as both outage scenarios play it: the honest parties' tokens
    /// are read, the client submits a job and waits for its <c>JobAccepted</c>, submits a second
    /// (named after <paramref name="name"/>), <paramref name="outage"/> runs with the two job ids,
    /// then <c>client wait</c> follows both to their end (at most <paramref name="endWithin"/>) and
    /// the chain and the parties' tokens are judged.
    /// </summary>
    public async Task<OutageRun> OutageAsync(string name, Func<BigInteger, BigInteger, Task> outage, TimeSpan endWithin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outage);
        var before = await HonestWealthAsync(cancellationToken).ConfigureAwait(false);
        var accepted = await SubmitAsync($"{name}-accepted", cancellationToken).ConfigureAwait(false);
        await WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, accepted, cancellationToken).ConfigureAwait(false);
        var created = await SubmitAsync($"{name}-created", cancellationToken).ConfigureAwait(false);
        await outage(accepted, created).ConfigureAwait(false);

        BigInteger[] jobs = [accepted, created];
        var wait = await WaitAsync(jobs, endWithin, cancellationToken).ConfigureAwait(false);
        var chain = await JudgeAsync(jobs, cancellationToken).ConfigureAwait(false);
        var parties = await CompareWealthAsync(before, cancellationToken).ConfigureAwait(false);
        return new OutageRun(chain, parties, parties.Count(p => !p.NoLoss), wait.ExitCode, Shorten(wait.ExitCode == 0 ? wait.Stdout : wait.Stderr));
    }

    /// <summary>Each honest party's tokens before and now, and whether it owns no less.</summary>
    public async Task<List<PartyWealth>> CompareWealthAsync(IReadOnlyDictionary<string, BigInteger> before, CancellationToken cancellationToken)
    {
        var parties = new List<PartyWealth>();
        foreach (var (account, then) in before)
        {
            var now = await WealthAsync(account, cancellationToken).ConfigureAwait(false);
            parties.Add(new PartyWealth(account, Exchange.Node.Chain.TokenUnits.Format(then), Exchange.Node.Chain.TokenUnits.Format(now), now >= then));
        }

        return parties;
    }

    /// <summary>
    /// What an account owns in tokens wherever they are: in its wallet, in the market (its balance
    /// and its collateral) and in the vault (its stake, unbonding included).
    /// </summary>
    public async Task<BigInteger> WealthAsync(string account, CancellationToken cancellationToken)
    {
        var web3 = network.Web3;
        var wallet = await web3.Eth.ERC20.GetContractService(network.Deployment.ComputeToken).BalanceOfQueryAsync(account).WaitAsync(cancellationToken).ConfigureAwait(false);
        var market = (await web3.Eth.GetContractQueryHandler<JobMarketAccountOfFunction>()
            .QueryDeserializingToObjectAsync<JobMarketAccountOfOutputDTO>(new JobMarketAccountOfFunction { Account = account }, network.Deployment.JobMarket)
            .WaitAsync(cancellationToken).ConfigureAwait(false)).ReturnValue0;
        var vault = (await web3.Eth.GetContractQueryHandler<AccountOfFunction>()
            .QueryDeserializingToObjectAsync<AccountOfOutputDTO>(new AccountOfFunction { Account = account }, network.Deployment.StakingVault)
            .WaitAsync(cancellationToken).ConfigureAwait(false)).ReturnValue0;
        return wallet + market.Balance + market.Collateral + vault.Stake + vault.Unbonding;
    }

    /// <summary>Each job's accepts, results and endings on the chain, the duplicates among them and the verdicts, and whether the books balance.</summary>
    public async Task<JobsOnChain> JudgeAsync(IReadOnlyList<BigInteger> jobs, CancellationToken cancellationToken)
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
        // The books balance only once no job holds escrow: with a job still in flight they are not judged.
        bool? conserved = views.All(v => v.Settled + v.Expired > 0)
            ? await SupplyCheck.ConservedAsync(network.Web3, network.Deployment, BadInputsScenario.Accounts, cancellationToken).ConfigureAwait(false)
            : null;
        return new JobsOnChain(views, views.Count(v => v.Settled != 1), duplicates, conserved);
    }

    /// <summary>The client submits one job of <see cref="Tasks"/> distinct inputs without following it; returns its id.</summary>
    public async Task<BigInteger> SubmitAsync(string name, CancellationToken cancellationToken)
    {
        var stdout = await _op.RunCheckedAsync(["client", "submit", "--dev-account", Client, "--model", Model, "--input", .. Inputs(name), "--json"], cancellationToken).ConfigureAwait(false);
        using var summary = JsonDocument.Parse(stdout);
        var id = BigInteger.Parse(summary.RootElement.GetProperty("jobIds")[0].GetString()!, CultureInfo.InvariantCulture);
        await progress.WriteLineAsync($"job {id} created").ConfigureAwait(false);
        return id;
    }

    /// <summary><see cref="Tasks"/> distinct inputs of the image model for job <paramref name="name"/>.</summary>
    public string[] Inputs(string name) => Inputs(name, Tasks, folder, name[0] * 16);

    /// <summary>
    /// <paramref name="count"/> distinct inputs of the image model, files named after
    /// <paramref name="name"/> in <paramref name="into"/>: input i is filled with the value
    /// <paramref name="first"/> + i (whole numbers, exact as floats, so distinct ranges give distinct inputs).
    /// </summary>
    public static string[] Inputs(string name, int count, string into, int first)
    {
        var shape = new long[] { 1, 3, 224, 224 };
        var values = shape.Aggregate(1L, (x, y) => x * y);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var path = Path.Combine(into, $"{name}-{i}.npy");
            File.WriteAllBytes(path, NpyBytes.File(NpyBytes.Header(shape), NpyBytes.Floats(values, first + i)));
            return path;
        })];
    }

    /// <summary>
    /// Starts a role (provider, verifier2-4) with its own data folder, or starts it again on the same
    /// folder; waits until it is ready. The provider stakes <paramref name="providerStake"/> tokens
    /// (1,000 unless given) and keeps <paramref name="collateralJobs"/> jobs' collateral locked (4
    /// unless given), which comes out of its free stake. A role given <paramref name="rpc"/> reaches
    /// the chain there instead of at the campaign's chain node.
    /// </summary>
    public async Task StartAsync(string role, CancellationToken cancellationToken, int providerStake = 1_000, int collateralJobs = 4, Uri? rpc = null)
    {
        if (_roles.Remove(role, out var old))
        {
            old.Dispose();
        }

        var data = Path.Combine(folder, role);
        string[] arguments = role == "provider"
            ?
            [
                "provider", "run", "--dev-account", "1", "--model", Model, "--unit-price", "1", "--max-tasks", Number(MaxTasks), "--stake", Number(providerStake),
                "--collateral-jobs", Number(collateralJobs), "--data", data,
            ]
            : ["verifier", "run", "--dev-account", role[^1..], "--stake", "200", "--data", data];
        // Another chain endpoint (a relay the campaign can cut) replaces the campaign's own.
        var environment = rpc is null ? null : new Dictionary<string, string> { ["EXCHANGE_RPC"] = rpc.ToString() };
        _roles[role] = await _op.StartAsync(role, arguments, role == "provider" ? "offers" : "ready", ReadyWithin, cancellationToken, environment).ConfigureAwait(false);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>SIGKILL to a role.</summary>
    public void Kill(string role)
    {
        _roles[role].Kill();
        progress.WriteLine($"kill -9 {role}");
    }

    /// <summary>How many jobs settled on the chain, all told.</summary>
    public async Task<int> SettledCountAsync(CancellationToken cancellationToken) =>
        (await CountAsync<JobSettledEventDTO>(network.Deployment.JobMarket, e => e.JobId, cancellationToken).ConfigureAwait(false)).Values.Sum();

    /// <summary>How many jobs exist on the chain.</summary>
    public async Task<int> CreatedAsync(CancellationToken cancellationToken) =>
        (await CountAsync<JobCreatedEventDTO>(network.Deployment.JobMarket, e => e.JobId, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>Waits for a job beyond the first <paramref name="before"/>, created by <paramref name="follower"/>; returns its id.</summary>
    public async Task<BigInteger> WaitForNewJobAsync(int before, RoleProcess follower, CancellationToken cancellationToken)
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

    /// <summary>Waits until the chain has an event of a kind for <paramref name="job"/>.</summary>
    public async Task WaitForEventAsync<TEvent>(string contract, Func<TEvent, BigInteger> jobOf, BigInteger job, CancellationToken cancellationToken)
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

    /// <summary>A command's output cut to 400 characters for the report.</summary>
    public static string Shorten(string text) => text.Length <= 400 ? text.Trim() : text[..397].Trim() + "...";

    public void Dispose()
    {
        foreach (var role in _roles.Values)
        {
            role.Dispose();
        }
    }
}

/// <summary>What the chain says about a set of jobs.</summary>
/// <param name="Jobs">Each job's events.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight (its escrow is not counted).</param>
public sealed record JobsOnChain(IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool? Conserved);

/// <summary>How the jobs in flight during an outage ended, and what the honest parties own after.</summary>
/// <param name="Chain">The two jobs' events and the books.</param>
/// <param name="Parties">The provider's and the verifiers' tokens before and after.</param>
/// <param name="PartiesThatLost">Honest parties that own less after.</param>
/// <param name="WaitExitCode">client wait's exit code.</param>
/// <param name="Wait">What client wait printed, shortened.</param>
internal sealed record OutageRun(JobsOnChain Chain, IReadOnlyList<PartyWealth> Parties, int PartiesThatLost, int WaitExitCode, string Wait);
