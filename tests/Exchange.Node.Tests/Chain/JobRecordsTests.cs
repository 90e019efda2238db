using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Tests.Chain;

public sealed class JobRecordsTests
{
    private static readonly Job Submitted = new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        BigInteger.Parse("1000000000000000000"), 8, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]),
        Keccak.Hash([4]), Keccak.Hash([5]), 1_799_999_000, 42);

    [Fact]
    public void Json_round_trips_every_field()
    {
        Assert.Equal(Submitted, JobRecords.FromJson(JobRecords.ToJson(Submitted)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"client\":\"0x\"}")]
    public void FromJson_refuses_what_is_not_a_record(string json) =>
        Assert.Throws<FormatException>(() => JobRecords.FromJson(json));
}
