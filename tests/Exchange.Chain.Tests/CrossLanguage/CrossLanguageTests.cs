using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Chain.Bindings;
using Exchange.Chain.Tests.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Merkle;
using Exchange.TestSupport;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Tests.CrossLanguage;

/// <summary>The off-chain code and the contract agree, both ways, on EIP-712 digests, signatures and Merkle proofs.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class CrossLanguageTests(ChainFixture chain)
{
    private const int Client = DevAccountsOfTests.CrossClient;
    private const int Provider = DevAccountsOfTests.CrossProvider;
    private static readonly BigInteger Token = Exchange.Chain.Deployment.MarketParameters.Tokens(1);

    private Eip712Domain Domain => Eip712Domain.ForExchange(chain.ChainId, chain.Deployment.JobMarket);

    private Task<TOutput> Query<TFunction, TOutput>(TFunction function)
        where TFunction : Nethereum.Contracts.FunctionMessage, new()
        where TOutput : Nethereum.ABI.FunctionEncoding.Attributes.IFunctionOutputDTO, new() =>
        ChainState.QueryAsync<TFunction, TOutput>(chain, chain.Deployment.JobMarket, function);

    private static Offer OfferOf(int provider, ulong nonce, ulong expiry) =>
        new(DevAccounts.Address(provider), Keccak.Hash("cross-language model"u8), 3 * Token, 16, 600, expiry, Region.Encode("eu-west"), nonce);

    private async Task<ulong> NowAsync() =>
        (ulong)(await chain.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).Timestamp.Value;

    [Theory]
    [InlineData(0UL, 0UL, 0U)]
    [InlineData(7UL, 1_700_000_000UL, 600U)]
    [InlineData(4_294_967_294UL, ulong.MaxValue, uint.MaxValue)]
    public async Task Offer_digests_equal_the_contracts(ulong nonce, ulong expiry, uint minTurnaround)
    {
        var offer = OfferOf(Provider, nonce, expiry) with { MinTurnaround = minTurnaround };
        var onChain = await Query<OfferDigestFunction, OfferDigestOutputDTO>(new OfferDigestFunction { Offer = offer.ToStruct() });
        Assert.Equal(offer.Digest(Domain), Bytes32.FromBytes(onChain.ReturnValue0));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    public async Task Result_digests_equal_the_contracts(string jobId)
    {
        var result = new Result(BigInteger.Parse(jobId, CultureInfo.InvariantCulture), Keccak.Hash("tasks"u8), Keccak.Hash("results"u8), Keccak.Hash("outputs"u8));
        var onChain = await Query<ResultDigestFunction, ResultDigestOutputDTO>(new ResultDigestFunction
        {
            JobId = result.JobId, TasksRoot = result.TasksRoot.ToArray(), ResultRoot = result.ResultRoot.ToArray(), OutputsHash = result.OutputsHash.ToArray(),
        });
        Assert.Equal(result.Digest(Domain), Bytes32.FromBytes(onChain.ReturnValue0));
    }

    [Fact]
    public async Task A_csharp_signed_offer_and_result_are_accepted_and_a_wrong_signer_is_refused()
    {
        await FundAsync();
        var offer = OfferOf(Provider, 1, await NowAsync() + 86_400 * 365);
        var signature = Signatures.Sign(offer.Digest(Domain), DevAccounts.Key(Provider).GetPrivateKeyAsBytes());
        var tasks = MerkleLeaves.TaskTree([Keccak.Hash("input 0"u8), Keccak.Hash("input 1"u8)]);
        var receipt = await chain.Sender(Client).SendAsync(chain.Deployment.JobMarket, new CreateJobFunction
        {
            Offer = offer.ToStruct(), OfferSig = signature, TaskCount = 2, TasksRoot = tasks.Root.ToArray(),
            ManifestHash = Keccak.Hash("manifest"u8).ToArray(), Deadline = await NowAsync() + 3_600,
        });
        var created = receipt.DecodeAllEvents<JobCreatedEventDTO>().Single().Event;

        var forged = Signatures.Sign(offer.Digest(Domain), DevAccounts.Key(Client).GetPrivateKeyAsBytes());
        var refused = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Sender(Client).SendAsync(chain.Deployment.JobMarket, new CreateJobFunction
        {
            Offer = offer.ToStruct(), OfferSig = forged, TaskCount = 2, TasksRoot = tasks.Root.ToArray(),
            ManifestHash = Keccak.Hash("manifest"u8).ToArray(), Deadline = created.Deadline,
        }));
        Assert.Equal("JobMarketInvalidOfferSignature", refused.Revert.Name);

        var job = new JobStruct
        {
            Client = created.Client, Provider = created.Provider, ModelId = created.ModelId, UnitPrice = created.UnitPrice, TaskCount = created.TaskCount,
            Deadline = created.Deadline, TasksRoot = created.TasksRoot, ManifestHash = created.ManifestHash,
            ResultRoot = new byte[32], OutputsHash = new byte[32],
        };
        var result = new Result(created.JobId, tasks.Root, Keccak.Hash("result root"u8), Keccak.Hash("outputs"u8));
        var submitted = await chain.Sender(Provider).SendAsync(chain.Deployment.JobMarket, new SubmitResultFunction
        {
            JobId = created.JobId, Job = job, ResultRoot = result.ResultRoot.ToArray(), OutputsHash = result.OutputsHash.ToArray(),
            Signature = Signatures.Sign(result.Digest(Domain), DevAccounts.Key(Provider).GetPrivateKeyAsBytes()),
        });
        Assert.Equal(BigInteger.One, submitted.Status.Value);
        var status = await Query<GetJobFunction, GetJobOutputDTO>(new GetJobFunction { JobId = created.JobId });
        Assert.Equal((byte)Core.Jobs.JobStatus.Submitted, status.Status);
    }

    [Fact]
    public async Task An_ethers_signTypedData_offer_is_recovered_by_csharp_and_accepted_by_the_contract()
    {
        await FundAsync();
        var offer = OfferOf(Provider, 2, await NowAsync() + 86_400 * 365);
        var signed = await SignWithEthersAsync("Offer", new JsonObject
        {
            ["provider"] = offer.Provider,
            ["modelId"] = offer.ModelId.ToString(),
            ["unitPrice"] = offer.UnitPrice.ToString(CultureInfo.InvariantCulture),
            ["maxTasks"] = offer.MaxTasks,
            ["minTurnaround"] = offer.MinTurnaround,
            ["expiry"] = offer.Expiry.ToString(CultureInfo.InvariantCulture),
            ["region"] = offer.Region.ToString(),
            ["nonce"] = offer.Nonce.ToString(CultureInfo.InvariantCulture),
        });

        Assert.Equal(offer.Digest(Domain), Bytes32.Parse(signed.Digest));
        Assert.Equal(offer.Provider, Signatures.Recover(offer.Digest(Domain), signed.Signature), ignoreCase: true);
        var receipt = await chain.Sender(Client).SendAsync(chain.Deployment.JobMarket, new CreateJobFunction
        {
            Offer = offer.ToStruct(), OfferSig = signed.Signature, TaskCount = 1, TasksRoot = Keccak.Hash("t"u8).ToArray(),
            ManifestHash = Keccak.Hash("m"u8).ToArray(), Deadline = await NowAsync() + 3_600,
        });
        Assert.Single(receipt.DecodeAllEvents<JobCreatedEventDTO>());
    }

    [Fact]
    public async Task An_ethers_signTypedData_result_is_recovered_by_csharp()
    {
        var result = new Result(42, Keccak.Hash("a"u8), Keccak.Hash("b"u8), Keccak.Hash("c"u8));
        var signed = await SignWithEthersAsync("Result", new JsonObject
        {
            ["jobId"] = "42", ["tasksRoot"] = result.TasksRoot.ToString(), ["resultRoot"] = result.ResultRoot.ToString(), ["outputsHash"] = result.OutputsHash.ToString(),
        });
        Assert.Equal(result.Digest(Domain), Bytes32.Parse(signed.Digest));
        Assert.Equal(DevAccounts.Address(Provider), Signatures.Recover(result.Digest(Domain), signed.Signature), ignoreCase: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(255)]
    [InlineData(256)]
    public async Task Csharp_merkle_proofs_verify_in_the_contract_and_tampered_ones_do_not(int leaves)
    {
        var inputs = Enumerable.Range(0, leaves).Select(i => Keccak.Hash(BitConverter.GetBytes(i * 7919 + leaves))).ToList();
        var outputs = inputs.Select(h => Keccak.Hash(h.ToArray())).ToList();
        var taskTree = MerkleLeaves.TaskTree(inputs);
        var resultTree = MerkleLeaves.ResultTree(inputs, outputs);
        var indices = new[] { 0, leaves / 2, leaves - 1 }.Distinct();

        foreach (var i in indices)
        {
            Assert.True(await VerifyTaskAsync(taskTree.Root, leaves, i, inputs[i], taskTree.Proof(i)), $"task proof {i} of {leaves}");
            Assert.True(await VerifyResultAsync(resultTree.Root, leaves, i, inputs[i], outputs[i], resultTree.Proof(i)), $"result proof {i} of {leaves}");

            var wrongOutput = Keccak.Hash("tampered"u8);
            Assert.False(await VerifyResultAsync(resultTree.Root, leaves, i, inputs[i], wrongOutput, resultTree.Proof(i)));
            Assert.False(await VerifyTaskAsync(taskTree.Root, leaves, i + 1, inputs[i], taskTree.Proof(i)));
            if (taskTree.Proof(i).Count > 0)
            {
                var tampered = taskTree.Proof(i).ToList();
                var first = tampered[0].ToArray();
                first[0] ^= 1;
                tampered[0] = Bytes32.FromBytes(first);
                Assert.False(await VerifyTaskAsync(taskTree.Root, leaves, i, inputs[i], tampered));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public async Task A_valid_proof_of_an_index_at_or_past_the_task_count_is_refused(int leaves)
    {
        var inputs = Enumerable.Range(0, leaves).Select(i => Keccak.Hash(BitConverter.GetBytes(i + 31 * leaves))).ToList();
        var outputs = inputs.Select(h => Keccak.Hash(h.ToArray())).ToList();
        var taskTree = MerkleLeaves.TaskTree(inputs);
        var resultTree = MerkleLeaves.ResultTree(inputs, outputs);
        var last = leaves - 1;

        // The same proof of the last leaf, claimed for a job of fewer tasks than its index needs.
        Assert.True(await VerifyTaskAsync(taskTree.Root, last + 1, last, inputs[last], taskTree.Proof(last)));
        Assert.False(await VerifyTaskAsync(taskTree.Root, last, last, inputs[last], taskTree.Proof(last)));
        Assert.True(await VerifyResultAsync(resultTree.Root, last + 1, last, inputs[last], outputs[last], resultTree.Proof(last)));
        Assert.False(await VerifyResultAsync(resultTree.Root, last, last, inputs[last], outputs[last], resultTree.Proof(last)));
    }

    private async Task<bool> VerifyTaskAsync(Bytes32 root, int taskCount, int index, Bytes32 input, IEnumerable<Bytes32> proof) =>
        (await Query<VerifyTaskProofFunction, VerifyTaskProofOutputDTO>(new VerifyTaskProofFunction
        {
            Root = root.ToArray(), TaskCount = taskCount, Index = index, InputHash = input.ToArray(), Proof = proof.Select(p => p.ToArray()).ToList(),
        })).ReturnValue0;

    private async Task<bool> VerifyResultAsync(Bytes32 root, int taskCount, int index, Bytes32 input, Bytes32 output, IEnumerable<Bytes32> proof) =>
        (await Query<VerifyResultProofFunction, VerifyResultProofOutputDTO>(new VerifyResultProofFunction
        {
            Root = root.ToArray(), TaskCount = taskCount, Index = index, InputHash = input.ToArray(), OutputHash = output.ToArray(), Proof = proof.Select(p => p.ToArray()).ToList(),
        })).ReturnValue0;

    private async Task FundAsync()
    {
        var d = chain.Deployment;
        var funded = await Query<BalanceOfFunction, BalanceOfOutputDTO>(new BalanceOfFunction { Account = DevAccounts.Address(Client) });
        if (funded.ReturnValue0 >= 100 * Token)
        {
            return;
        }

        await chain.Sender(DevAccountsOfTests.Deployer).SendAsync(d.ComputeToken, new TransferFunction { To = DevAccounts.Address(Client), Value = 1_000 * Token });
        await chain.Sender(DevAccountsOfTests.Deployer).SendAsync(d.ComputeToken, new TransferFunction { To = DevAccounts.Address(Provider), Value = 5_000 * Token });
        await chain.Sender(Client).SendAsync(d.ComputeToken, new ApproveFunction { Spender = d.JobMarket, Value = 1_000 * Token });
        await chain.Sender(Client).SendAsync(d.JobMarket, new DepositFunction { Amount = 1_000 * Token });
        await chain.Sender(Provider).SendAsync(d.ComputeToken, new ApproveFunction { Spender = d.StakingVault, Value = 5_000 * Token });
        await chain.Sender(Provider).SendAsync(d.StakingVault, new StakeFunction { Role = (byte)StakeRole.Provider, Amount = 5_000 * Token });
        // Jobs take their collateral only from what the provider locked for the market.
        await chain.Sender(Provider).SendAsync(d.JobMarket, new LockCollateralFunction { Amount = 4_000 * Token });
    }

    private async Task<(string Digest, byte[] Signature)> SignWithEthersAsync(string type, JsonObject value)
    {
        var input = new JsonObject
        {
            ["privateKey"] = "0x" + DevAccounts.Key(Provider).GetPrivateKey().Replace("0x", "", StringComparison.Ordinal),
            ["domain"] = new JsonObject
            {
                ["name"] = Eip712Domain.ExchangeName, ["version"] = Eip712Domain.ExchangeVersion,
                ["chainId"] = chain.ChainId.ToString(CultureInfo.InvariantCulture), ["verifyingContract"] = chain.Deployment.JobMarket,
            },
            ["type"] = type,
            ["value"] = value,
        };
        var script = Path.Combine(RepositoryRoot.Path, "tests", "Exchange.Chain.Tests", "CrossLanguage", "sign-typed-data.js");
        var start = new ProcessStartInfo("node", [script, input.ToJsonString()])
        {
            WorkingDirectory = RepositoryRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        return (json.RootElement.GetProperty("digest").GetString()!, Hex.Parse(json.RootElement.GetProperty("signature").GetString()));
    }
}
