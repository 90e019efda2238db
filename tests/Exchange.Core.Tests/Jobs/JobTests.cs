using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;

namespace Exchange.Core.Tests.Jobs;

public sealed class JobTests
{
    [Fact]
    public void AbiEncodeAndHash_EqualEthers()
    {
        var vector = EthersVectors.Root.GetProperty("job");
        var f = vector.GetProperty("fields");
        var job = new Job(
            f.Text("client"),
            f.Text("provider"),
            Bytes32.Parse(f.Text("modelId")),
            BigInteger.Parse(f.Text("unitPrice")),
            uint.Parse(f.Text("taskCount")),
            ulong.Parse(f.Text("deadline")),
            Bytes32.Parse(f.Text("tasksRoot")),
            Bytes32.Parse(f.Text("manifestHash")),
            Bytes32.Parse(f.Text("resultRoot")),
            Bytes32.Parse(f.Text("outputsHash")),
            ulong.Parse(f.Text("submittedAt")),
            ulong.Parse(f.Text("submitBlock")));

        Assert.Equal(vector.Text("abiEncoded"), Hex.Format(job.AbiEncode()));
        Assert.Equal(vector.Text("hash"), job.Hash().ToString());
        Assert.Equal(vector.Text("hash")[..^2] + "00", job.Commitment().ToString());
        Assert.True(job.IsSubmitted);
    }

    [Theory]
    [InlineData(JobStatus.None, 0)]
    [InlineData(JobStatus.Created, 1)]
    [InlineData(JobStatus.Accepted, 2)]
    [InlineData(JobStatus.Submitted, 3)]
    [InlineData(JobStatus.Unaudited, 4)]
    [InlineData(JobStatus.Auditing, 5)]
    [InlineData(JobStatus.Disputed, 6)]
    [InlineData(JobStatus.Settled, 7)]
    [InlineData(JobStatus.Slashed, 8)]
    [InlineData(JobStatus.Expired, 9)]
    public void Status_NumbersFollowTheProtocol(JobStatus status, byte value) => Assert.Equal(value, (byte)status);

    [Fact]
    public void Status_HasExactlyTheProtocolsTenValues() =>
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (JobStatus)i), Enum.GetValues<JobStatus>());

    [Fact]
    public void Fees_FollowTheProtocolAndRoundDown()
    {
        var schedule = new FeeSchedule(VerificationFeeBps: 500, ProtocolFeeBps: 100, CollateralMultiplierBps: 20_000);

        var fees = schedule.For(unitPrice: 333, taskCount: 7);

        Assert.Equal(2331, fees.Price);
        Assert.Equal(116, fees.VerificationFee);
        Assert.Equal(23, fees.ProtocolFee);
        Assert.Equal(4662, fees.Collateral);
        Assert.Equal(2331 + 116 + 23, fees.ClientCost);
        Assert.Equal(0, fees.AuditReward);
        Assert.Equal(0, fees.ClientAuditFee);
        Assert.Equal(0, fees.ExpiryPenalty);
    }

    [Fact]
    public void Fees_AuditAndExpiryShares_FollowTheProtocolAndRoundDown()
    {
        var schedule = new FeeSchedule(
            VerificationFeeBps: 800, ProtocolFeeBps: 100, CollateralMultiplierBps: 100_000,
            MinUnitPrice: 1, AuditRewardBps: 5_000, ClientAuditFeeBps: 6_000, ExpiryPenaltyBps: 1_000);

        var fees = schedule.For(unitPrice: 333, taskCount: 7);

        Assert.Equal(new JobFees(Price: 2331, VerificationFee: 186, ProtocolFee: 23, Collateral: 23_310, AuditReward: 1165, ClientAuditFee: 1398, ExpiryPenalty: 2331), fees);
        Assert.Equal(2331 + 186 + 23, fees.ClientCost);
    }

    [Fact]
    public void Fees_BelowTheMinimumUnitPrice_AreRefusedLikeTheContract()
    {
        var schedule = new FeeSchedule(800, 100, 100_000, MinUnitPrice: 1_000_000_000_000);

        Assert.Equal(1_000_000_000_000, schedule.For(1_000_000_000_000, 1).Price);
        Assert.Contains("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.For(999_999_999_999, 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.For(0, 4));
    }

    [Fact]
    public void Fees_OfAJob_UseItsPriceAndTaskCount()
    {
        var job = new Job("0x" + new string('1', 40), "0x" + new string('2', 40), Bytes32.Zero, 10, 3, 0, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, 0, 0);

        Assert.Equal(new JobFees(30, 3, 0, 45, 0, 0, 0), job.Fees(new FeeSchedule(1000, 0, 15_000)));
        Assert.False(job.IsSubmitted);
    }

    [Fact]
    public void Fees_Overflowing_AreRejectedLikeTheContract()
    {
        var schedule = new FeeSchedule(500, 100, 20_000);
        var max = (BigInteger.One << 256) - 1;

        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.For(max, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.For(max / 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.For(-1, 1));
        Assert.Equal(max, new FeeSchedule(0, 0, 0).For(max, 1).ClientCost);
    }

    [Fact]
    public void AbiEncode_BadAddress_IsRejected()
    {
        var job = new Job("0x12", "0x" + new string('2', 40), Bytes32.Zero, 10, 3, 0, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, 0, 0);

        Assert.Contains("not an address", Assert.Throws<FormatException>(() => job.Hash()).Message, StringComparison.Ordinal);
    }
}
