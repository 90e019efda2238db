using System.Numerics;
using System.Text.Json;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Core.Tests.Eip712;

/// <summary>Struct hashes, digests and signatures equal ethers v6's (TypedDataEncoder, Wallet.signTypedData).</summary>
public sealed class Eip712VectorTests
{
    public static TheoryData<int> Indices => [.. Enumerable.Range(0, EthersVectors.Items("typed").Count())];

    private static JsonElement Vector(int i) => EthersVectors.Items("typed").ElementAt(i);

    private static Bytes32 StructHash(JsonElement vector) => Message(vector) switch
    {
        Offer offer => offer.StructHash,
        Result result => result.StructHash,
        _ => throw new InvalidOperationException(),
    };

    private static object Message(JsonElement vector)
    {
        var m = vector.GetProperty("message");
        return vector.Text("primaryType") == "Offer"
            ? new Offer(
                m.Text("provider"),
                Bytes32.Parse(m.Text("modelId")),
                BigInteger.Parse(m.Text("unitPrice")),
                uint.Parse(m.Text("maxTasks")),
                uint.Parse(m.Text("minTurnaround")),
                ulong.Parse(m.Text("expiry")),
                Bytes32.Parse(m.Text("region")),
                ulong.Parse(m.Text("nonce")))
            : new Result(
                BigInteger.Parse(m.Text("jobId")),
                Bytes32.Parse(m.Text("tasksRoot")),
                Bytes32.Parse(m.Text("resultRoot")),
                Bytes32.Parse(m.Text("outputsHash")));
    }

    private static Eip712Domain Domain(JsonElement vector)
    {
        var d = vector.GetProperty("domain");
        return new Eip712Domain(d.Text("name"), d.Text("version"), BigInteger.Parse(d.Text("chainId")), d.Text("verifyingContract"));
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void DomainSeparator_EqualsEthers(int i) =>
        Assert.Equal(Vector(i).Text("domainSeparator"), Domain(Vector(i)).Separator.ToString());

    [Theory]
    [MemberData(nameof(Indices))]
    public void StructHash_EqualsEthers(int i) =>
        Assert.Equal(Vector(i).Text("structHash"), StructHash(Vector(i)).ToString());

    [Theory]
    [MemberData(nameof(Indices))]
    public void Digest_EqualsEthers(int i)
    {
        var vector = Vector(i);
        var digest = Message(vector) switch
        {
            Offer offer => offer.Digest(Domain(vector)),
            Result result => result.Digest(Domain(vector)),
            _ => throw new InvalidOperationException(),
        };

        Assert.Equal(vector.Text("digest"), digest.ToString());
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Sign_GivesEthersSignatureByteForByte(int i)
    {
        var vector = Vector(i);

        var signature = Signatures.Sign(Bytes32.Parse(vector.Text("digest")), vector.Text("privateKey"));

        Assert.Equal(vector.Text("signature"), Hex.Format(signature));
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Recover_OfEthersSignature_GivesTheSigner(int i)
    {
        var vector = Vector(i);

        var signer = Signatures.Recover(Bytes32.Parse(vector.Text("digest")), Hex.Parse(vector.Text("signature")));

        Assert.Equal(vector.Text("signer"), signer);
        Assert.Equal(vector.Text("signer"), Signatures.AddressOf(Hex.Parse(vector.Text("privateKey"))));
    }

    [Fact]
    public void ForExchange_IsNameExchangeVersion1()
    {
        var vector = Vector(0);
        var domain = Eip712Domain.ForExchange(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

        Assert.Equal(Domain(vector), domain);
        Assert.Equal(vector.Text("domainSeparator"), domain.Separator.ToString());
    }
}
