using Exchange.Api.Client;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Node.Canary;
using Exchange.Node.Provider;
using Exchange.Node.Verifier;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nethereum.Signer;

namespace Exchange.Node.Hosting;

/// <summary>Registers the nodes as hosted services with their typed, validated-at-start options.</summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>Adds the provider: options from sections <c>Node</c> and <c>Provider</c>, signing with <paramref name="key"/>.</summary>
    public static IServiceCollection AddProviderNode(this IServiceCollection services, EthECKey key, InferenceEngineOptions? engine = null)
    {
        AddCommon(services, key, engine);
        services.AddOptions<ProviderOptions>().BindConfiguration(ProviderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<ProviderService>();
        return services;
    }

    /// <summary>Adds the verifier: options from sections <c>Node</c> and <c>Verifier</c>, signing with <paramref name="key"/>.</summary>
    public static IServiceCollection AddVerifierNode(this IServiceCollection services, EthECKey key, InferenceEngineOptions? engine = null)
    {
        AddCommon(services, key, engine);
        services.AddOptions<VerifierOptions>().BindConfiguration(VerifierOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<VerifierService>();
        return services;
    }

    /// <summary>
    /// Adds the canary service: options from sections <c>Node</c>, <c>Canary</c> and <c>Provider</c>
    /// (its provider's offer), with its client's and provider's keys.
    /// </summary>
    public static IServiceCollection AddCanaryNode(this IServiceCollection services, CanaryKeys keys, InferenceEngineOptions? engine = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        AddCommon(services, keys.Provider, engine);
        services.TryAddSingleton(keys);
        services.AddOptions<CanaryOptions>().BindConfiguration(CanaryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProviderOptions>().BindConfiguration(ProviderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CanaryService>();
        services.AddHostedService(s => s.GetRequiredService<CanaryService>());
        return services;
    }

    private static void AddCommon(IServiceCollection services, EthECKey key, InferenceEngineOptions? engine)
    {
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(key);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new InferenceEngine(new ModelRegistry(new ModelStore(ModelStore.DefaultRoot)), engine));
        services.AddExchangeApiClient();
        services.AddOptions<ExchangeApiClientOptions>().Configure<IOptions<NodeOptions>>((api, node) =>
        {
            foreach (var url in node.Value.ApiUrls)
            {
                api.Apis.Add(url);
            }
        });
    }
}
