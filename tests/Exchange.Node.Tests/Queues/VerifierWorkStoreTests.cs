using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Queues;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Queues;

public sealed class VerifierWorkStoreTests : IDisposable
{
    private static readonly Job Submitted = new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        1000, 4, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]), Keccak.Hash([4]), Keccak.Hash([5]), 1_700_000_000, 42);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<VerifierWorkStore> OpenAsync() =>
        new(await NodeDatabase.OpenAsync(_folder.File("verifier.db"), default), TimeProvider.System);

    [Fact]
    public async Task An_audit_named_twice_by_the_draw_and_by_its_event_is_queued_once_with_its_seed()
    {
        var store = await OpenAsync();

        Assert.True(await store.AddAuditAsync(7, Submitted, Keccak.Hash([9]), default));
        Assert.False(await store.AddAuditAsync(7, Submitted, Keccak.Hash([9]), default));

        var audit = Assert.Single(await store.ListWorkAsync("new", 10, default));
        Assert.Equal(Keccak.Hash([9]), audit.Seed);
        Assert.Equal(VerifierWorkStore.Audit, audit.Kind);
    }

    [Fact]
    public async Task An_audit_listed_before_its_earlier_slot_ended_is_no_longer_as_listed()
    {
        var store = await OpenAsync();
        foreach (var id in new[] { 1, 2, 3, 4 })
        {
            await store.AddAuditAsync(id, Submitted, Keccak.Hash([9]), default);
        }

        var listed = await store.ListDueWorkAsync("new", 10, default);

        // 1: judged meanwhile. 2: put back for a back-off. 3: failed. 4: untouched.
        await store.MarkJudgedAsync(1, VerifierWorkStore.Audit, true, Keccak.Hash([8]), default);
        await store.RecordRetryAsync(2, VerifierWorkStore.Audit, "API away", TimeSpan.FromMinutes(1), default);
        await store.MarkFailedAsync(3, VerifierWorkStore.Audit, "bad input", default);
        var still = new List<int>();
        foreach (var item in listed)
        {
            if (await store.IsStillAsListedAsync(item, default))
            {
                still.Add((int)item.JobId);
            }
        }

        Assert.Equal([4], still);
        Assert.False(await store.IsStillAsListedAsync(listed[3] with { Kind = "vote" }, default));
    }

    [Fact]
    public async Task Draws_read_but_not_fixed_go_back_to_be_read_again_and_fixed_or_closed_ones_stay()
    {
        var store = await OpenAsync();
        foreach (var id in new[] { 1, 2, 3, 4 })
        {
            await store.RememberCreatedAsync(id, Submitted, default);
            await store.SetKnownStateAsync(id, "submitted", default);
        }

        // 1: read, still pending. 2: read, then fixed. 3: fixed before it was read. 4: read, then closed.
        await store.SetKnownStateAsync(1, "drawn", default);
        await store.SetKnownStateAsync(2, "drawn", default);
        await store.MarkDrawFixedAsync(2, default);
        await store.MarkDrawFixedAsync(3, default);
        await store.SetKnownStateAsync(4, "drawn", default);
        await store.SetKnownStateAsync(4, "closed", default);
        await store.MarkDrawFixedAsync(4, default);
        Assert.Empty(await store.AwaitingDrawAsync(10, default));

        Assert.Equal(1, await store.RereadPendingDrawsAsync(default));
        Assert.Equal([1], (await store.AwaitingDrawAsync(10, default)).Select(j => (int)j.JobId));
        Assert.Equal([1, 2, 3], (await store.OpenKnownAsync(default)).Select(j => (int)j.JobId));
    }

    [Fact]
    public async Task An_audit_and_a_vote_in_back_off_are_not_due_until_their_time_even_after_a_reopen_and_bad_data_fails_them_at_once()
    {
        var clock = new ManualClock();
        var store = new VerifierWorkStore(await NodeDatabase.OpenAsync(_folder.File("verifier.db"), default), clock);
        await store.AddAuditAsync(7, Submitted, Keccak.Hash([9]), default);
        await store.AddAuditAsync(8, Submitted, Keccak.Hash([9]), default);
        await store.AddVoteAsync(7, 0, Submitted, default);
        await store.RecordRetryAsync(7, VerifierWorkStore.Audit, "api down", TimeSpan.FromSeconds(30), default);
        await store.RecordVoteRetryAsync(7, 0, "api down", TimeSpan.FromSeconds(30), default);

        var reopened = new VerifierWorkStore(await NodeDatabase.OpenAsync(_folder.File("verifier.db"), default), clock);
        Assert.Equal([8], (await reopened.ListDueWorkAsync("new", 10, default)).Select(w => (int)w.JobId));
        Assert.Empty(await reopened.ListDueVotesAsync("new", 10, default));

        clock.Advance(TimeSpan.FromSeconds(31));
        var audit = (await reopened.ListDueWorkAsync("new", 10, default)).Single(w => w.JobId == 7);
        Assert.Equal(1, audit.Attempts);
        Assert.Single(await reopened.ListDueVotesAsync("new", 10, default));

        await reopened.MarkFailedAsync(8, VerifierWorkStore.Audit, "float32 inputs must be finite", default);
        await reopened.MarkVoteFailedAsync(7, 0, "float32 inputs must be finite", default);
        Assert.Equal([7], (await reopened.ListDueWorkAsync("new", 10, default)).Select(w => (int)w.JobId));
        Assert.Empty(await reopened.ListDueVotesAsync("new", 10, default));
    }

    [Fact]
    public async Task A_vote_and_its_salt_are_kept_before_the_commitment_is_sent_and_survive_a_reopen()
    {
        var store = await OpenAsync();
        var salt = Keccak.Hash([8]);
        Assert.True(await store.AddVoteAsync(7, 0, Submitted, default));
        Assert.False(await store.AddVoteAsync(7, 0, Submitted, default));
        await store.MarkVoteJudgedAsync(7, 0, providerWrong: true, salt, default);
        await store.MarkCommittingAsync(7, 0, "0xc0", default);

        var reopened = await OpenAsync();
        var vote = Assert.Single(await reopened.ListVotesAsync("committing", 10, default));
        Assert.Equal(salt, vote.Salt);
        Assert.True(vote.ProviderWrong);
        Assert.Equal("0xc0", vote.CommitTx);
    }

    [Fact]
    public async Task A_lost_commit_or_reveal_goes_back_one_step_with_the_same_salt()
    {
        var store = await OpenAsync();
        var salt = Keccak.Hash([8]);
        await store.AddVoteAsync(7, 1, Submitted, default);
        await store.MarkVoteJudgedAsync(7, 1, providerWrong: false, salt, default);
        await store.MarkCommittingAsync(7, 1, "0xc0", default);

        await store.MarkVoteUnsentAsync(7, 1, "lost", default);
        Assert.Equal("judged", (await store.FindVoteAsync(7, 1, default))!.State);

        await store.MarkCommittedAsync(7, 1, default);
        await store.MarkRevealingAsync(7, 1, "0xr0", default);
        await store.MarkVoteUnsentAsync(7, 1, "lost", default);

        var vote = (await store.FindVoteAsync(7, 1, default))!;
        Assert.Equal("committed", vote.State);
        Assert.Equal(salt, vote.Salt);
        Assert.Null(vote.RevealTx);
    }

    [Fact]
    public async Task A_later_round_reuses_the_earlier_judgement_of_the_job_and_an_ended_dispute_closes_its_votes()
    {
        var store = await OpenAsync();
        await store.AddVoteAsync(7, 0, Submitted, default);
        await store.MarkVoteJudgedAsync(7, 0, providerWrong: true, Keccak.Hash([8]), default);
        await store.AddVoteAsync(7, 1, Submitted, default);
        await store.FollowDisputeAsync(7, Submitted, challenger: false, default);

        Assert.True(await store.JudgedProviderWrongAsync(7, default));
        Assert.Null(await store.JudgedProviderWrongAsync(8, default));

        await store.CloseVotesAsync(7, "dispute resolved", default);
        await store.CloseDisputeAsync(7, default);

        Assert.Empty(await store.ListVotesAsync("new", 10, default));
        Assert.Empty(await store.ListVotesAsync("judged", 10, default));
        Assert.Empty(await store.OpenDisputesAsync(10, default));
        Assert.Equal(2, (await store.CountsAsync(default))["vote/done"]);
    }

    [Fact]
    public async Task Following_a_dispute_again_as_its_challenger_marks_it_so()
    {
        var store = await OpenAsync();

        await store.FollowDisputeAsync(7, Submitted, challenger: false, default);
        await store.FollowDisputeAsync(7, Submitted, challenger: true, default);
        await store.FollowDisputeAsync(7, Submitted, challenger: false, default);

        var dispute = Assert.Single(await store.OpenDisputesAsync(10, default));
        Assert.True(dispute.Challenger);
        Assert.Equal(Submitted, dispute.Record);
    }
}
