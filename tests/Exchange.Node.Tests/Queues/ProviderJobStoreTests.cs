using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Queues;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Queues;

public sealed class ProviderJobStoreTests : IDisposable
{
    private static readonly Job Created = new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        1000, 4, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]), Bytes32.Zero, Bytes32.Zero, 0, 0);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<ProviderJobStore> OpenAsync() =>
        new(await NodeDatabase.OpenAsync(_folder.File("provider.db"), default), TimeProvider.System);

    [Fact]
    public async Task A_job_seen_twice_is_queued_once()
    {
        var store = await OpenAsync();

        Assert.True(await store.AddAsync(7, Created, default));
        Assert.False(await store.AddAsync(7, Created, default));
        Assert.Single(await store.ListAsync(ProviderJobStore.New, 10, default));
    }

    [Fact]
    public async Task The_queue_survives_a_reopen_with_the_signed_result_and_the_broadcast_transaction()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], default);
        await store.MarkSubmittingAsync([7], "0xabc", default);

        var reopened = await OpenAsync();
        var job = Assert.Single(await reopened.ListAsync(ProviderJobStore.Submitting, 10, default));
        Assert.Equal(Keccak.Hash([4]), job.ResultRoot);
        Assert.Equal("0xabc", job.SubmitTx);
        Assert.Equal(Created, job.Record);
    }

    [Fact]
    public async Task A_lost_transaction_puts_the_job_back_to_be_sent_without_recomputing()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], default);
        await store.MarkSubmittingAsync([7], "0xabc", default);

        await store.MarkUnsentAsync(7, "lost", default);

        var job = Assert.Single(await store.ListAsync(ProviderJobStore.Computed, 10, default));
        Assert.Null(job.SubmitTx);
        Assert.Equal(Keccak.Hash([5]), job.OutputsHash);
        Assert.Empty(await store.ListAsync(ProviderJobStore.New, 10, default));
    }

    [Fact]
    public async Task A_computed_job_cannot_be_computed_again_and_a_done_job_stays_done()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], default);
        await store.MarkComputedAsync(7, Keccak.Hash([6]), Keccak.Hash([6]), new byte[65], default);
        await store.MarkDoneAsync(7, "settled", default);
        await store.MarkSubmittedAsync(7, Created with { SubmitBlock = 9 }, default);

        var job = await store.FindAsync(7, default);
        Assert.Equal(ProviderJobStore.Done, job!.State);
        Assert.Equal(Keccak.Hash([4]), job.ResultRoot);
    }

    [Fact]
    public async Task Repeated_failures_give_a_new_job_up()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);

        for (var i = 0; i < 3; i++)
        {
            await store.RecordErrorAsync(7, "api down", 3, default);
        }

        Assert.Equal(ProviderJobStore.Failed, (await store.FindAsync(7, default))!.State);
        Assert.Equal(new Dictionary<string, int> { [ProviderJobStore.Failed] = 1 }, await store.CountsAsync(default));
    }

    [Fact]
    public async Task Job_ids_beyond_64_bits_are_kept_exactly()
    {
        var store = await OpenAsync();
        var huge = BigInteger.Pow(2, 200) + 1;

        await store.AddAsync(huge, Created, default);

        Assert.Equal(huge, (await store.FindAsync(huge, default))!.JobId);
    }
}
