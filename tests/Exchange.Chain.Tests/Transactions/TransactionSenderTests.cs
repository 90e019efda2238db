using System.Diagnostics;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Xunit.Abstractions;

namespace Exchange.Chain.Tests.Transactions;

[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class TransactionSenderTests(ChainFixture chain, ITestOutputHelper output)
{
    private const int Concurrent = 200;

    private async Task<BigInteger> NonceAsync(string address) =>
        (await chain.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(address, BlockParameter.CreateLatest())).Value;

    [Fact]
    public async Task Two_hundred_concurrent_sends_use_consecutive_nonces_once_each()
    {
        var sender = chain.Sender(DevAccountsOfTests.BulkSender);
        var first = await NonceAsync(sender.Address);
        var recipient = DevAccounts.Address(18);

        var clock = Stopwatch.StartNew();
        var receipts = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i =>
            Task.Run(() => sender.SendAsync(new TransactionRequest(recipient, "0x", i + 1)))));
        clock.Stop();

        var transactions = await Task.WhenAll(receipts.Select(r => chain.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(r.TransactionHash)));
        var nonces = transactions.Select(t => t.Nonce.Value).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Concurrent).Select(i => first + i), nonces);
        Assert.All(receipts, r => Assert.Equal(BigInteger.One, r.Status.Value));
        Assert.Equal(Concurrent, receipts.Select(r => r.TransactionHash).Distinct().Count());
        Assert.Equal(first + Concurrent, await NonceAsync(sender.Address));
        var perSecond = Concurrent / clock.Elapsed.TotalSeconds;
        output.WriteLine($"sender throughput: {Concurrent} transactions in {clock.Elapsed.TotalSeconds:0.00} s = {perSecond:0} tx/s");
        Console.WriteLine($"[measure] sender: {Concurrent} concurrent transactions, {perSecond:0} tx/s sustained");
    }

    [Fact]
    public async Task A_nonce_used_behind_the_senders_back_is_recovered()
    {
        var key = DevAccounts.Key(DevAccountsOfTests.NonceRecovery);
        using var mine = new TransactionSender(chain.Web3, key, chain.ChainId);
        using var other = new TransactionSender(chain.Web3, key, chain.ChainId);
        var to = DevAccounts.Address(18);
        await mine.SendAsync(new TransactionRequest(to, "0x", 1));
        await other.SendAsync(new TransactionRequest(to, "0x", 2));
        await other.SendAsync(new TransactionRequest(to, "0x", 3));

        var receipt = await mine.SendAsync(new TransactionRequest(to, "0x", 4));

        Assert.Equal(BigInteger.One, receipt.Status.Value);
        var sent = await chain.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(receipt.TransactionHash);
        Assert.Equal(await NonceAsync(mine.Address) - 1, sent.Nonce.Value);
    }

    [Fact]
    public async Task A_dropped_transaction_is_rebroadcast_and_mined()
    {
        var options = new TransactionSenderOptions { RebroadcastAfter = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.FromMilliseconds(20) };
        using var sender = new TransactionSender(chain.Web3, DevAccounts.Key(DevAccountsOfTests.Dropped), chain.ChainId, options: options);
        await chain.Node.RequestAsync<object>("evm_setAutomine", false);
        try
        {
            var sent = await sender.SubmitAsync(new TransactionRequest(DevAccounts.Address(18), "0x", 5));
            Assert.True(await chain.Node.RequestAsync<bool>("hardhat_dropTransaction", sent.Hash));
            Assert.Null(await chain.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(sent.Hash));

            var waiting = sender.WaitForReceiptAsync(sent);
            while (await chain.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(sent.Hash) is null)
            {
                await Task.Delay(20);
            }

            await chain.MineAsync();
            var receipt = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(sent.Hash, receipt.TransactionHash);
            Assert.Equal(BigInteger.One, receipt.Status.Value);
        }
        finally
        {
            await chain.Node.RequestAsync<object>("evm_setAutomine", true);
        }
    }

    [Fact]
    public async Task No_receipt_within_the_timeout_is_a_clear_error()
    {
        var options = new TransactionSenderOptions { ReceiptTimeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(20) };
        using var sender = new TransactionSender(chain.Web3, DevAccounts.Key(DevAccountsOfTests.Timeout), chain.ChainId, options: options);
        await chain.Node.RequestAsync<object>("evm_setAutomine", false);
        try
        {
            var sent = await sender.SubmitAsync(new TransactionRequest(DevAccounts.Address(18), "0x", 5));
            var error = await Assert.ThrowsAsync<TransactionFailedException>(() => sender.WaitForReceiptAsync(sent));
            Assert.Equal(sent.Hash, error.TransactionHash);
            Assert.Contains("no receipt", error.Message);
        }
        finally
        {
            await chain.Node.RequestAsync<object>("evm_setAutomine", true);
            await chain.MineAsync();
        }
    }

    [Fact]
    public async Task A_revert_found_by_the_estimate_is_decoded_and_uses_no_nonce()
    {
        var sender = chain.Sender(DevAccountsOfTests.Reverts);
        var before = await NonceAsync(sender.Address);

        var error = await Assert.ThrowsAsync<ContractRevertException>(() =>
            sender.SendAsync(chain.Deployment.JobMarket, new WithdrawFunction { Amount = 7 }));

        Assert.Null(error.TransactionHash);
        Assert.Equal("JobMarketInsufficientBalance", error.Revert.Name);
        Assert.Equal(sender.Address, error.Revert["account"] as string, ignoreCase: true);
        Assert.Equal(BigInteger.Zero, error.Revert["balance"]);
        Assert.Equal(new BigInteger(7), error.Revert["needed"]);
        Assert.Contains("JobMarketInsufficientBalance(account=", error.Message);
        Assert.Equal(before, await NonceAsync(sender.Address));

        var next = await sender.SendAsync(new TransactionRequest(DevAccounts.Address(18), "0x", 1));
        Assert.Equal(before, (await chain.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(next.TransactionHash)).Nonce.Value);
    }

    [Fact]
    public async Task A_mined_revert_is_decoded_from_its_receipt()
    {
        var sender = chain.Sender(DevAccountsOfTests.Reverts);
        var error = await Assert.ThrowsAsync<ContractRevertException>(() =>
            sender.SendAsync(chain.Deployment.JobMarket, new WithdrawFunction { Amount = 0, Gas = new HexBigInteger(200_000) }));

        Assert.NotNull(error.TransactionHash);
        Assert.Equal("JobMarketZeroAmount", error.Revert.Name);
        var receipt = await chain.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(error.TransactionHash);
        Assert.Equal(BigInteger.Zero, receipt.Status.Value);
    }

    [Fact]
    public void Unknown_revert_data_is_reported_as_such()
    {
        var decoded = ContractErrors.Decoder.Decode("0xdeadbeef");
        Assert.Equal(DecodedRevert.UnknownName, decoded.Name);
        Assert.Contains("0xdeadbeef", decoded.ToString());
        Assert.Equal("reverted without a reason", ContractErrors.Decoder.Decode("0x").ToString());
    }
}
