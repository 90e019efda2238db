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

    private static async Task AcceptAsync(ProviderJobStore store, BigInteger jobId)
    {
        await store.AddAsync(jobId, Created, default);
        await store.MarkCheckedAsync(jobId, default);
        await store.MarkAcceptingAsync([jobId], "0xacc", default);
        await store.MarkAcceptedAsync(jobId, default);
    }

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
        await AcceptAsync(store, 7);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 0, default);
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
        await AcceptAsync(store, 7);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 0, default);
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
        await AcceptAsync(store, 7);
        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 2, default);
        await store.MarkComputedAsync(7, Keccak.Hash([6]), Keccak.Hash([6]), new byte[65], 0, default);
        await store.MarkDoneAsync(7, "settled", default);
        await store.MarkSubmittedAsync(7, Created with { SubmitBlock = 9 }, default);

        var job = await store.FindAsync(7, default);
        Assert.Equal(ProviderJobStore.Done, job!.State);
        Assert.Equal(Keccak.Hash([4]), job.ResultRoot);
        Assert.Equal(2, job.Falsified);
    }

    [Fact]
    public async Task A_failing_job_waits_out_its_back_off_even_across_a_reopen_while_the_others_stay_due_and_keeps_its_state()
    {
        var clock = new ManualClock();
        var store = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider.db"), default), clock);
        await store.AddAsync(7, Created, default);
        await store.AddAsync(8, Created, default);
        await AcceptAsync(store, 9);

        for (var i = 0; i < 20; i++)
        {
            await store.RecordRetryAsync(7, "api down", TimeSpan.FromSeconds(30), default);
            await store.RecordRetryAsync(9, "api down", TimeSpan.FromSeconds(30), default);
        }

        var reopened = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider.db"), default), clock);
        Assert.Equal([8], (await reopened.ListDueAsync(ProviderJobStore.New, 10, default)).Select(j => (int)j.JobId));
        Assert.Empty(await reopened.ListDueAsync(ProviderJobStore.Accepted, 10, default));
        Assert.Equal(2, (await reopened.ListAsync(ProviderJobStore.New, 10, default)).Count);

        clock.Advance(TimeSpan.FromSeconds(31));
        var seven = (await reopened.ListDueAsync(ProviderJobStore.New, 10, default)).Single(j => j.JobId == 7);
        Assert.Equal(20, seven.Attempts);
        var nine = Assert.Single(await reopened.ListDueAsync(ProviderJobStore.Accepted, 10, default));
        Assert.Equal(ProviderJobStore.Accepted, nine.State);

        // The next step is due at once: a back-off belongs to the step that failed.
        await reopened.RecordRetryAsync(7, "api down", TimeSpan.FromSeconds(30), default);
        await reopened.MarkCheckedAsync(7, default);
        Assert.Single(await reopened.ListDueAsync(ProviderJobStore.Checked, 10, default));
    }

    [Fact]
    public async Task A_job_is_computed_only_once_accepted_and_an_invalid_one_is_declined_before()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.AddAsync(8, Created, default);

        await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 0, default);
        await store.MarkDeclinedAsync(8, "the manifest is missing", default);
        await store.MarkAcceptedAsync(8, default);

        Assert.Equal(ProviderJobStore.New, (await store.FindAsync(7, default))!.State);
        Assert.Equal(ProviderJobStore.Declined, (await store.FindAsync(8, default))!.State);
    }

    [Fact]
    public async Task A_result_computed_during_the_check_waits_with_the_row_across_a_reopen_and_makes_the_job_computed_once_accepted()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.AddAsync(8, Created, default);
        await store.MarkCheckedAsync(7, default);
        await store.MarkCheckedAsync(8, default);
        Assert.True(await store.MarkComputedAsync(7, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 1, default));
        await store.MarkDeclinedAsync(8, "its deadline passed before it was accepted", default);
        Assert.False(await store.MarkComputedAsync(8, Keccak.Hash([6]), Keccak.Hash([6]), new byte[65], 0, default));

        var reopened = await OpenAsync();
        var waiting = await reopened.FindAsync(7, default);
        Assert.Equal(ProviderJobStore.Checked, waiting!.State);
        Assert.Equal(Keccak.Hash([4]), waiting.ResultRoot);
        await reopened.MarkAcceptingAsync([7], "0xacc", default);
        await reopened.MarkAcceptUnsentAsync(7, "acceptance lost", default);
        await reopened.MarkAcceptingAsync([7], "0xacc2", default);
        await reopened.MarkAcceptedAsync(7, default);

        var computed = Assert.Single(await reopened.ListDueAsync(ProviderJobStore.Computed, 10, default));
        Assert.Equal((7, Keccak.Hash([5]), 1), ((int)computed.JobId, computed.OutputsHash, computed.Falsified));
        Assert.Empty(await reopened.ListAsync(ProviderJobStore.Accepted, 10, default));
        var declined = await reopened.FindAsync(8, default);
        Assert.Equal(ProviderJobStore.Declined, declined!.State);
        Assert.Null(declined.ResultRoot);
    }

    [Fact]
    public async Task A_broadcast_acceptance_survives_a_reopen_and_a_lost_one_goes_back_to_be_accepted_again()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);
        await store.MarkCheckedAsync(7, default);
        await store.MarkAcceptingAsync([7], "0xacc", default);

        var reopened = await OpenAsync();
        var job = Assert.Single(await reopened.ListAsync(ProviderJobStore.Accepting, 10, default));
        Assert.Equal("0xacc", job.AcceptTx);

        await reopened.MarkAcceptUnsentAsync(7, "lost", default);

        Assert.Equal(ProviderJobStore.Checked, (await reopened.FindAsync(7, default))!.State);
        Assert.Null((await reopened.FindAsync(7, default))!.AcceptTx);
    }

    [Fact]
    public async Task The_draw_is_kept_once_read_and_a_result_event_completes_any_unfinished_row()
    {
        var store = await OpenAsync();
        await store.AddAsync(7, Created, default);

        await store.MarkSubmittedAsync(7, Created with { SubmitBlock = 9, SubmittedAt = 10 }, default);
        await store.SetAuditedAsync(7, true, default);

        var job = (await store.FindAsync(7, default))!;
        Assert.Equal(ProviderJobStore.Submitted, job.State);
        Assert.Equal(9UL, job.Record.SubmitBlock);
        Assert.True(job.Audited);
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
