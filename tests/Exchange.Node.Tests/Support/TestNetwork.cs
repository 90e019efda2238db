using System.Diagnostics;
using System.Numerics;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Inference.Calibration;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Offers;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Tests.Support;

/// <summary>Helpers over a <see cref="LocalNetwork"/> for the network tests: a client, offers, waiting on the chain, counting transactions.</summary>
public static class TestNetwork
{
    /// <summary>The tiny built-in model (exact policy): fast on two cores.</summary>
    public const string Model = BuiltInModels.ResNetPreprocess;

    /// <summary>
    /// Deployment for tests: short windows (challenge 2 s, audit 120 s, commit, reveal and appeal
    /// 8 s each), a 30-second epoch and small stakes. With a full audit rate every job is audited on
    /// 8 tasks; while no verifier can be drawn the provider records the draw and the court settles
    /// the job (no verifier found).
    /// </summary>
    public static DeploymentOptions Deployment(uint auditRateBps) => new()
    {
        MinProviderStake = MarketParameters.Tokens(100),
        MinVerifierStake = MarketParameters.Tokens(100),
        EpochLength = 30,
        UnbondingDelay = 3_600,
        Market = new MarketParameters
        {
            AuditRateBps = auditRateBps,
            AuditedTasksPerJob = 8,
            CollateralMultiplierBps = 30_000,
            ChallengeWindow = 2,
            VerificationFeeBps = 1_100,
            ProtocolFeeBps = 100,
            AuditRewardBps = 1_000,
            ClientAuditFeeBps = 2_000,
        },
        Court = new CourtParameters
        {
            AuditWindow = 120,
            CommitWindow = 8,
            RevealWindow = 8,
            AppealWindow = 8,
            PassAppealWindow = 8,
            CommitteeSize = 3,
            MinChallengerBond = MarketParameters.Tokens(1),
            VerifierTimeoutPenalty = MarketParameters.Tokens(1),
            IncoherencePenalty = MarketParameters.Tokens(1),
        },
    };

    /// <summary>Funds dev accounts with 20,000 tokens each.</summary>
    public static IReadOnlyDictionary<int, BigInteger> Funded(params int[] accounts) =>
        accounts.ToDictionary(a => a, _ => MarketParameters.Tokens(20_000));

    /// <summary>A client session for dev account <paramref name="account"/>, subscribed to its jobs' logs at <paramref name="ws"/> when given.</summary>
    public static ClientSession Client(LocalNetwork network, int account, Uri? ws = null)
    {
        var key = DevAccounts.Key(account);
        var card = new ModelRegistry(new ModelStore(Path.Combine(Path.GetTempPath(), "exchange-test-models"))).Resolve(Model).Card;
        return new ClientSession(network.Market(key), network.Api(key), card, key, TimeProvider.System) { WsUrl = ws };
    }

    /// <summary>
    /// Starts <c>exchange provider run</c> for dev account <paramref name="account"/>: <see cref="Model"/> at 1 token per task,
    /// stake 1,000, turnaround <paramref name="minTurnaround"/> seconds, data in <paramref name="data"/>, and any <paramref name="extra"/> options (a cheat mode).
    /// </summary>
    public static NodeProcess StartProvider(LocalNetwork network, int account, string data, int minTurnaround = 60, params string[] extra) => NodeProcess.Start(
        [
            "provider", "run", "--dev-account", account.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
            "--deployment", network.DeploymentPath, "--data", data, "--model", Model, "--unit-price", "1", "--stake", "1000",
            "--min-turnaround", minTurnaround.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra,
        ]);

    /// <summary>Creates one job of <paramref name="tasks"/> images on the first live offer of <paramref name="provider"/>, waiting for the offer.</summary>
    public static async Task<ClientJob> CreateJobAsync(LocalNetwork network, ClientSession client, string provider, int tasks, TimeSpan deadline)
    {
        var offer = await OfferOfAsync(network, client, provider);
        var inputs = SyntheticImages.Png(tasks, 5, 224, 224).Select((png, i) => ClientTask.FromImage($"image-{i}.png", png, client.Card)).ToList();
        var prepared = await client.PrepareAsync(inputs, [offer], tasks, null, CancellationToken.None);
        return Assert.Single(await client.CreateAsync(prepared, deadline, 1, null, CancellationToken.None));
    }

    /// <summary>The first live offer of <paramref name="provider"/> for the client's model, waiting for it.</summary>
    public static Task<SignedOffer> OfferOfAsync(LocalNetwork network, ClientSession client, string provider, Func<string>? context = null)
    {
        var api = network.Api();
        return WaitForAsync(async () =>
            (await OfferDirectory.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, CancellationToken.None))
                .FirstOrDefault(o => string.Equals(o.Offer.Provider, provider, StringComparison.OrdinalIgnoreCase)), $"an offer of {provider}", context);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, for at most <paramref name="within"/> (two minutes unless given).</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, Func<string>? context = null, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromMinutes(2);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"waited {limit.TotalMinutes:0.#} minutes for {what}; {context?.Invoke()}");
    }

    /// <summary>Waits until the job has status <paramref name="status"/>.</summary>
    public static Task WaitForStatusAsync(MarketClient market, BigInteger jobId, JobStatus status, Func<string>? context = null) =>
        WaitForAsync<object>(async () => await market.StatusAsync(jobId, CancellationToken.None) == status ? new object() : null, $"job {jobId} to be {status}", context);

    /// <summary>
    /// Waits until the job's result is on chain: <see cref="JobStatus.Submitted"/> or any status after it.
    /// Submitted itself lasts only until a keeper records the audit draw, seconds later, so a test
    /// that waited for exactly that status could poll past it.
    /// </summary>
    public static Task WaitForResultAsync(MarketClient market, BigInteger jobId, Func<string>? context = null) =>
        WaitForAsync<object>(async () => await market.StatusAsync(jobId, CancellationToken.None) is JobStatus.Submitted or JobStatus.Unaudited or JobStatus.Auditing
            or JobStatus.Disputed or JobStatus.Settled or JobStatus.Slashed ? new object() : null, $"job {jobId}'s result on chain", context);

    /// <summary>What <paramref name="account"/> owns: its wallet's tokens, its market balance and its stake (a node may withdraw or stake at any time).</summary>
    public static async Task<BigInteger> HoldingsAsync(MarketClient market, string account) =>
        await market.TokenBalanceAsync(account, default) + await market.MarketBalanceAsync(account, default)
        + (await market.VaultAccountAsync(account, default)).Stake;

    /// <summary>How many mined transactions from <paramref name="sender"/> call function <typeparamref name="TFunction"/> on <paramref name="contract"/> (the market when null).</summary>
    public static async Task<int> CountCallsAsync<TFunction>(LocalNetwork network, string sender, string? contract = null)
        where TFunction : FunctionMessage, new()
    {
        contract ??= network.Deployment.JobMarket;
        var selector = ABITypedRegistry.GetFunctionABI<TFunction>().Sha3Signature;
        var latest = (ulong)(await network.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var count = 0;
        for (var number = 0UL; number <= latest; number++)
        {
            var block = await network.Web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(number)));
            count += block.Transactions.Count(t =>
                string.Equals(t.From, sender, StringComparison.OrdinalIgnoreCase)
                && string.Equals(t.To, contract, StringComparison.OrdinalIgnoreCase)
                && t.Input.StartsWith("0x" + selector, StringComparison.OrdinalIgnoreCase));
        }

        return count;
    }

    /// <summary>How many <typeparamref name="TEvent"/> events <paramref name="contract"/> (the market when null) emitted for <paramref name="jobId"/>.</summary>
    public static async Task<int> CountEventsAsync<TEvent>(LocalNetwork network, BigInteger jobId, string? contract = null)
        where TEvent : class, IEventDTO, new()
    {
        var handler = network.Web3.Eth.GetEvent<TEvent>(contract ?? network.Deployment.JobMarket);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(jobId, BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return logs.Count;
    }

    /// <summary>Waits for the round's committee, then has each member commit and reveal <paramref name="providerWrong"/>.</summary>
    public static async Task VoteAsync(
        MarketClient reader, Dictionary<string, MarketClient> verifiers, BigInteger jobId, int round, bool providerWrong, Func<string>? context)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(verifiers);
        var members = await WaitForAsync(async () =>
            (await reader.RoundOfAsync(jobId, round, default)) is { Drawn: true } drawn ? drawn.Members : null, $"the committee of round {round}", context);
        Assert.NotEmpty(members);
        var salt = Keccak.Hash([(byte)round]);
        foreach (var member in members)
        {
            var commitment = await reader.VoteCommitmentAsync(jobId, round, member, providerWrong, salt, default);
            await verifiers[member].SendCourtAsync(MarketClient.CommitVote(jobId, commitment), default);
        }

        foreach (var member in members)
        {
            await verifiers[member].SendCourtAsync(MarketClient.RevealVote(jobId, providerWrong, salt), default);
        }
    }

    /// <summary>
    /// Stakes dev accounts <paramref name="accounts"/> as verifiers (1,000 tokens each, 100 in the market for bonds) and
    /// advances an epoch so that they can be drawn; returns each one's chain handle by address, for verifiers the test plays.
    /// </summary>
    public static async Task<Dictionary<string, MarketClient>> StakeVerifiersAsync(LocalNetwork network, IEnumerable<int> accounts)
    {
        ArgumentNullException.ThrowIfNull(network);
        var verifiers = accounts.ToDictionary(v => DevAccounts.Address(v), v => network.Market(DevAccounts.Key(v)), StringComparer.OrdinalIgnoreCase);
        foreach (var verifier in verifiers.Values)
        {
            await verifier.EnsureStakeAsync(StakeRole.Verifier, MarketParameters.Tokens(1_000), default);
            await verifier.EnsureMarketBalanceAsync(MarketParameters.Tokens(100), default);
        }

        await network.AdvanceEpochAsync(default);
        return verifiers;
    }
}
