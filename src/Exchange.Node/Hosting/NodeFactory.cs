using Exchange.Api.Client;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Inference.Engine;
using Exchange.Node.Canary;
using Exchange.Node.Chain;
using Exchange.Node.Models;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Exchange.Node.Verifier;
using Microsoft.Extensions.Logging;
using Nethereum.Signer;

namespace Exchange.Node.Hosting;

/// <summary>
/// Wires a provider or verifier from its options: chain connection, deployment file, database,
/// models, and the API client (from <see cref="ExchangeApiServiceCollectionExtensions.AddExchangeApiClient"/>), which signs as the node.
/// </summary>
public static class NodeFactory
{
    /// <summary>Connects to the chain and reads the deployment of its chain id from <see cref="NodeOptions.Deployment"/>.</summary>
    public static async Task<MarketClient> ConnectAsync(NodeOptions node, EthECKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var sender = await TransactionSender.ConnectAsync(node.RpcUrl!, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new MarketClient(sender, DeploymentFile.Read(node.Deployment, sender.ChainId));
    }

    /// <summary>A provider ready for <see cref="ProviderNode.StartAsync"/>; its database is <c>provider.db</c> in the data folder.</summary>
    public static async Task<ProviderNode> CreateProviderAsync(
        MarketClient market, NodeOptions node, ProviderOptions options, EthECKey key, InferenceEngine engine, ExchangeApiClient api, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        var database = await NodeDatabase.OpenAsync(Path.Combine(node.DataDirectory, "provider.db"), cancellationToken).ConfigureAwait(false);
        var models = new ModelCatalog(engine);
        var model = models.Resolve(options.Model);
        ModelRunner? other = null;
        if (options.Cheat == CheatMode.OtherModel)
        {
            other = options.CheatModel is null ? models.CheaperStandIn(model) : models.Resolve(options.CheatModel);
            if (!other.Card.Outputs.SequenceEqual(model.Card.Outputs))
            {
                throw new InvalidOperationException($"cheat model '{other.Card.Name}' has other outputs than '{model.Card.Name}': its results could not pass for the real model's");
            }
        }

        return new ProviderNode(market, api.SignedBy(key), database, model, other, models, node, options, key, time, logger);
    }

    /// <summary>
    /// The canary service ready for <see cref="CanaryNode.StartAsync"/>: its provider (database
    /// <c>provider.db</c>) offers as <paramref name="provider"/> says, with the canary's cheat on its
    /// own client's jobs; its records are in <c>canary.db</c>, both in the data folder.
    /// </summary>
    public static async Task<CanaryNode> CreateCanaryAsync(
        NodeOptions node, CanaryOptions options, ProviderOptions provider, CanaryKeys keys, InferenceEngine engine, ExchangeApiClient api, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(engine);
        // The canary's wrong outputs: other tasks' real outputs, on its own client's jobs only.
        provider.Cheat = CheatMode.Reuse;
        provider.CheatRate = options.WrongShare;
        provider.CheatSeed = options.Seed;
        provider.CheatClients.Clear();
        provider.CheatClients.Add(keys.Client.GetPublicAddress());
        var providerMarket = await ConnectAsync(node, keys.Provider, cancellationToken).ConfigureAwait(false);
        var clientMarket = await ConnectAsync(node, keys.Client, cancellationToken).ConfigureAwait(false);
        var providerNode = await CreateProviderAsync(providerMarket, node, provider, keys.Provider, engine, api, time, logger, cancellationToken).ConfigureAwait(false);
        var database = await NodeDatabase.OpenAsync(Path.Combine(node.DataDirectory, "canary.db"), cancellationToken).ConfigureAwait(false);
        return new CanaryNode(clientMarket, api.SignedBy(keys.Client), keys.Client, providerNode, provider.MaxTasks, engine.Registry, database, node, options, time, logger);
    }

    /// <summary>A verifier ready for <see cref="VerifierNode.StartAsync"/>; its database is <c>verifier.db</c> in the data folder.</summary>
    public static async Task<VerifierNode> CreateVerifierAsync(
        MarketClient market, NodeOptions node, VerifierOptions options, EthECKey key, InferenceEngine engine, ExchangeApiClient api, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var database = await NodeDatabase.OpenAsync(Path.Combine(node.DataDirectory, "verifier.db"), cancellationToken).ConfigureAwait(false);
        return new VerifierNode(market, api.SignedBy(key), database, new ModelCatalog(engine), node, options, time, logger);
    }
}
