using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;

namespace Exchange.Api.Client;

/// <summary>Registers <see cref="ExchangeApiClient"/> as a typed HTTP client with the standard resilience handler.</summary>
public static class ExchangeApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ExchangeApiClient"/> (read-only; <see cref="ExchangeApiClient.SignedBy"/> for
    /// uploads) for <paramref name="apis"/>, or, when null, for the APIs the caller configures in
    /// <see cref="ExchangeApiClientOptions"/> (a node takes them from its own options).
    /// </summary>
    public static IHttpClientBuilder AddExchangeApiClient(this IServiceCollection services, IReadOnlyList<Uri>? apis = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        var options = services.AddOptions<ExchangeApiClientOptions>();
        if (apis is not null)
        {
            options.Configure(o =>
            {
                foreach (var api in apis)
                {
                    o.Apis.Add(api);
                }
            });
        }

        var builder = services.AddHttpClient<ExchangeApiClient>()
            // The resilience handler's timeouts bound each attempt and the whole request.
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        // One circuit per API: an API that is down does not stop requests to the others.
        builder.AddStandardResilienceHandler(ExchangeApiResilience.Configure).SelectPipelineByAuthority();
        return builder;
    }
}
