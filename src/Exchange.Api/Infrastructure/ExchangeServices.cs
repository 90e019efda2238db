using Exchange.Api.Accounts;
using Exchange.Api.Blobs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Exchange.Api.Infrastructure;

/// <summary>Registers the API's features.</summary>
public static class ExchangeServices
{
    /// <summary>Adds the database, the blob store, the offer book and the chain reader.</summary>
    public static WebApplicationBuilder AddExchangeServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<ApiDatabase>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<BlobStore>();
        services.TryAddSingleton<IMarketReader, NoChainMarketReader>();
        return builder;
    }
}
