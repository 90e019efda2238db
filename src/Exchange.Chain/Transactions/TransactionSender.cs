using System.Numerics;
using Exchange.Core.Diagnostics;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;
using Nethereum.Model;

namespace Exchange.Chain.Transactions;

/// <summary>
/// Sends transactions from one account, safely from many concurrent callers: it keeps its own
/// nonce (no gaps, no duplicates), estimates gas first so that a revert is reported — decoded to the
/// contract's custom error — before anything is signed, re-signs after "nonce too low" or a stale
/// fee, rebroadcasts a transaction the node dropped, and waits for receipts with a timeout.
/// </summary>
/// <remarks>Use one sender per account per process: two senders for one account would race for nonces (each recovers, but wastes round trips).</remarks>
public sealed class TransactionSender : IDisposable
{
    private readonly EthECKey _key;
    private readonly Transaction1559Signer _signer = new();
    private readonly RevertDecoder _decoder;
    private readonly TransactionSenderOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private BigInteger? _nextNonce;

    /// <summary>Creates a sender for <paramref name="key"/>'s account on the chain <paramref name="web3"/> talks to.</summary>
    /// <param name="web3">A Web3 for the chain's RPC endpoint (reads and raw sends; it needs no account).</param>
    /// <param name="key">The signing key.</param>
    /// <param name="chainId">The chain id the signatures commit to (EIP-155).</param>
    /// <param name="decoder">Decodes reverts; the Exchange contracts' errors when null.</param>
    /// <param name="options">Pricing, retry and timeout settings; defaults when null.</param>
    /// <param name="time">Clock for timeouts; the system clock when null.</param>
    public TransactionSender(IWeb3 web3, EthECKey key, BigInteger chainId, RevertDecoder? decoder = null, TransactionSenderOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(key);
        Web3 = web3;
        ChainId = chainId;
        _key = key;
        Address = key.GetPublicAddress();
        _decoder = decoder ?? ContractErrors.Decoder;
        _options = options ?? new TransactionSenderOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The sending account's checksummed address.</summary>
    public string Address { get; }

    /// <summary>The chain id signatures commit to.</summary>
    public BigInteger ChainId { get; }

    /// <summary>The Web3 used for reads and sends.</summary>
    public IWeb3 Web3 { get; }

    /// <summary>The decoder this sender reports reverts with.</summary>
    public RevertDecoder Decoder => _decoder;

    /// <summary>Connects to <paramref name="rpc"/>, reads its chain id and returns a sender for <paramref name="key"/>.</summary>
    public static async Task<TransactionSender> ConnectAsync(Uri rpc, EthECKey key, TransactionSenderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var web3 = new Web3(rpc.ToString());
        var chainId = await web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return new TransactionSender(web3, key, chainId.Value, options: options);
    }

    /// <summary>Calls <paramref name="function"/> on the contract at <paramref name="contract"/> and waits for the receipt.</summary>
    /// <exception cref="ContractRevertException">The call reverts (found by the gas estimate, or after mining).</exception>
    /// <exception cref="TransactionFailedException">No receipt within the timeout, or the transaction was dropped and its nonce reused.</exception>
    public Task<TransactionReceipt> SendAsync<TFunction>(string contract, TFunction function, CancellationToken cancellationToken = default)
        where TFunction : FunctionMessage, new()
    {
        ArgumentNullException.ThrowIfNull(function);
        var request = new TransactionRequest(contract, function.GetCallData().ToHex(true), function.AmountToSend, function.Gas);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>Deploys a contract and waits for its receipt.</summary>
    /// <returns>The new contract's checksummed address and the receipt.</returns>
    public async Task<(string Address, TransactionReceipt Receipt)> DeployAsync<TDeployment>(TDeployment deployment, CancellationToken cancellationToken = default)
        where TDeployment : ContractDeploymentMessage, new()
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var data = new Nethereum.Contracts.MessageEncodingServices.DeploymentMessageEncodingService<TDeployment>().GetDeploymentData(deployment);
        var receipt = await SendAsync(new TransactionRequest(null, data, deployment.AmountToSend, deployment.Gas), cancellationToken).ConfigureAwait(false);
        return (AddressUtil.Current.ConvertToChecksumAddress(receipt.ContractAddress), receipt);
    }

    /// <summary>Sends a transaction and waits for its receipt.</summary>
    public async Task<TransactionReceipt> SendAsync(TransactionRequest request, CancellationToken cancellationToken = default)
    {
        var sent = await SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        return await WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Estimates, signs and broadcasts a transaction with the next nonce; returns without waiting for the receipt.</summary>
    /// <exception cref="ContractRevertException">The gas estimate reverts: nothing was signed, no nonce used.</exception>
    public async Task<SentTransaction> SubmitAsync(TransactionRequest request, CancellationToken cancellationToken = default)
    {
        using var _ = StageMeter.Measure(Stage.ChainTransactions);
        ArgumentNullException.ThrowIfNull(request);
        var gas = request.Gas ?? await EstimateGasAsync(request, cancellationToken).ConfigureAwait(false);
        var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);

        // Nonces are handed out and broadcast in order under one lock: nodes that automine (Hardhat)
        // refuse a nonce gap, and a failed broadcast must not leave a hole behind the next caller.
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var nonce = _nextNonce ??= await PendingNonceAsync(cancellationToken).ConfigureAwait(false);
                var raw = Sign(request, gas, fees, nonce);
                var hash = new Sha3Keccack().CalculateHashFromHex(raw).EnsureHexPrefix();
                try
                {
                    await Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcResponseException e) when (IsAlreadyKnown(e))
                {
                    // The node has this very transaction already (an earlier attempt got through).
                }
                catch (RpcResponseException e) when (attempt < _options.MaxResends && (IsNonceProblem(e) || IsFeeProblem(e)))
                {
                    _nextNonce = await PendingNonceAsync(cancellationToken).ConfigureAwait(false);
                    if (IsFeeProblem(e))
                    {
                        fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Whether the node kept it is unknown: ask it for the next nonce rather than guess.
                    _nextNonce = null;
                    if (RevertDecoder.ExtractRevertData(e) is { } data)
                    {
                        throw new ContractRevertException(_decoder.Decode(data), hash);
                    }

                    throw;
                }

                _nextNonce = nonce + 1;
                return new SentTransaction(hash, nonce, raw, request);
            }
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    /// <summary>Waits for the receipt of a sent transaction; rebroadcasts it if the node dropped it.</summary>
    /// <exception cref="ContractRevertException">The transaction was mined and reverted.</exception>
    /// <exception cref="TransactionFailedException">No receipt within the timeout, or the nonce went to another transaction.</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(SentTransaction sent, CancellationToken cancellationToken = default)
    {
        using var _ = StageMeter.Measure(Stage.ChainTransactions);
        ArgumentNullException.ThrowIfNull(sent);
        var started = _time.GetTimestamp();
        var lastCheck = started;
        while (true)
        {
            var receipt = await Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(sent.Hash).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                if (receipt.Status?.Value == BigInteger.Zero)
                {
                    throw new ContractRevertException(await ReplayRevertAsync(sent, receipt, cancellationToken).ConfigureAwait(false), sent.Hash);
                }

                return receipt;
            }

            if (_time.GetElapsedTime(started) > _options.ReceiptTimeout)
            {
                throw new TransactionFailedException(
                    $"no receipt for transaction {sent.Hash} (nonce {sent.Nonce}) after {_options.ReceiptTimeout.TotalSeconds:0} s; it may still be mined", sent.Hash);
            }

            if (_time.GetElapsedTime(lastCheck) > _options.RebroadcastAfter)
            {
                lastCheck = _time.GetTimestamp();
                await RebroadcastIfDroppedAsync(sent, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the cached nonce so that the next send asks the node (after another program used this account).</summary>
    public async Task ResetNonceAsync(CancellationToken cancellationToken = default)
    {
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        _nextNonce = null;
        _nonceLock.Release();
    }

    /// <inheritdoc />
    public void Dispose() => _nonceLock.Dispose();

    private async Task RebroadcastIfDroppedAsync(SentTransaction sent, CancellationToken cancellationToken)
    {
        var known = await Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(sent.Hash).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (known is not null)
        {
            return;
        }

        try
        {
            await Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(sent.RawTransaction).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcResponseException e) when (IsAlreadyKnown(e))
        {
            // Came back between the two questions: nothing to do.
        }
        catch (RpcResponseException e) when (IsNonceProblem(e))
        {
            // Its nonce is spent but it has no receipt: another transaction took the nonce.
            if (await Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(sent.Hash).WaitAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                throw new TransactionFailedException(
                    $"transaction {sent.Hash} was dropped and its nonce {sent.Nonce} was used by another transaction", sent.Hash, e);
            }
        }
    }

    private async Task<DecodedRevert> ReplayRevertAsync(SentTransaction sent, TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        // The receipt says only "failed": replaying the call on the state before its block recovers the error data.
        var call = CallInput(sent.Request);
        var before = new BlockParameter(new HexBigInteger(BigInteger.Max(receipt.BlockNumber.Value - 1, BigInteger.Zero)));
        try
        {
            await Web3.Eth.Transactions.Call.SendRequestAsync(call, before).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && RevertDecoder.ExtractRevertData(e) is { } data)
        {
            return _decoder.Decode(data);
        }

        return new DecodedRevert(DecodedRevert.UnknownName, [], "0x");
    }

    private async Task<BigInteger> EstimateGasAsync(TransactionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var estimate = await Web3.Eth.Transactions.EstimateGas.SendRequestAsync(CallInput(request)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return estimate.Value * (100 + _options.GasMarginPercent) / 100;
        }
        catch (Exception e) when (e is not OperationCanceledException && RevertDecoder.ExtractRevertData(e) is { } data)
        {
            throw new ContractRevertException(_decoder.Decode(data), null);
        }
    }

    private async Task<(BigInteger MaxFee, BigInteger Tip)> FeesAsync(CancellationToken cancellationToken)
    {
        var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var baseFee = block.BaseFeePerGas?.Value ?? BigInteger.Zero;
        // Twice the base fee stays valid through several full blocks of base-fee growth (12.5 % each).
        return (2 * baseFee + _options.MaxPriorityFeePerGas, _options.MaxPriorityFeePerGas);
    }

    private async Task<BigInteger> PendingNonceAsync(CancellationToken cancellationToken) =>
        (await Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(Address, BlockParameter.CreatePending()).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    private string Sign(TransactionRequest request, BigInteger gas, (BigInteger MaxFee, BigInteger Tip) fees, BigInteger nonce)
    {
        using var _ = StageMeter.Measure(Stage.Signing);
        var transaction = new Transaction1559(ChainId, nonce, fees.Tip, fees.MaxFee, gas, request.To, request.Value, request.Data, []);
        return _signer.SignTransaction(_key, transaction).EnsureHexPrefix();
    }

    private CallInput CallInput(TransactionRequest request) => new()
    {
        From = Address,
        To = request.To,
        Data = request.Data,
        Value = new HexBigInteger(request.Value),
    };

    private static bool IsNonceProblem(RpcResponseException e) =>
        Mentions(e, "nonce too low") || Mentions(e, "nonce too high") || Mentions(e, "nonce has already been used") || Mentions(e, "invalid nonce");

    private static bool IsFeeProblem(RpcResponseException e) =>
        Mentions(e, "base fee") || Mentions(e, "underpriced") || Mentions(e, "fee cap");

    private static bool IsAlreadyKnown(RpcResponseException e) =>
        Mentions(e, "already known") || Mentions(e, "known transaction") || Mentions(e, "already imported");

    private static bool Mentions(RpcResponseException e, string text) =>
        (e.RpcError?.Message ?? e.Message).Contains(text, StringComparison.OrdinalIgnoreCase);
}
