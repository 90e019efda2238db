using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Queues;
using Exchange.Node.Verifier;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Web3;

namespace Exchange.Node.Tests.Verifier;

/// <summary>
/// The verifier's intake of the events that fix a draw or change whom a pending draw names: they
/// touch only the node's database, so they are applied here as the log poller hands them over,
/// with a chain handle that is never called.
/// </summary>
public sealed class VerifierEventsTests : IDisposable
{
    private const int Me = 2;
    private const int Other = 3;

    private static readonly Job Submitted = new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        1000, 4, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]), Keccak.Hash([4]), Keccak.Hash([5]), 1_700_000_000, 42);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_draw_fixed_for_another_is_never_read_again_and_a_penalty_asks_for_the_pending_ones()
    {
        var work = new VerifierWorkStore(await NodeDatabase.OpenAsync(_folder.File("verifier.db"), default), TimeProvider.System);
        // Nothing here reaches the chain: the handle only names the verifier.
        var sender = new TransactionSender(new Web3("http://127.0.0.1:9/"), DevAccounts.Key(Me), 31337);
        var market = new MarketClient(sender, new ChainDeployment(31337, Address(10), Address(11), Address(12), Address(13), Address(0), 0));
        var intake = new VerifierEvents(market, work, (_, _, _) => Task.CompletedTask, NullLogger.Instance);
        foreach (var id in new[] { 1, 2, 3 })
        {
            await work.RememberCreatedAsync(id, Submitted, default);
            await work.SetKnownStateAsync(id, "drawn", default);
        }

        await intake.ApplyAsync(
            [
                Event(new AuditAssignedEventDTO { JobId = 1, Verifier = DevAccounts.Address(Other), Deadline = 1, Seed = new byte[32] }),
                Event(new DrawRecordedEventDTO { JobId = 2, Seed = new byte[32], Audited = false }),
            ],
            null, default);
        Assert.False(intake.PendingDrawsChanged);
        Assert.Empty(await work.ListWorkAsync("new", 10, default));

        await intake.ApplyAsync([Event(new FalsePassPenalisedEventDTO { JobId = 7, Verifier = DevAccounts.Address(Other), Amount = 1 })], null, default);
        Assert.True(intake.PendingDrawsChanged);
        await work.RereadPendingDrawsAsync(default);
        Assert.Equal([3], (await work.AwaitingDrawAsync(10, default)).Select(j => (int)j.JobId));
    }

    private static string Address(int account) => DevAccounts.Address(account);

    private static ChainEvent Event(IEventDTO e) => new(1, 0, "0x" + new string('0', 64), 1, "0x" + new string('0', 64), Address(13), e.GetType().Name, e, null);
}
