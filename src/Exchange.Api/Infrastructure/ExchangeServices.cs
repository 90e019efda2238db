using Exchange.Api.Accounts;
using Exchange.Api.Blobs;
using Exchange.Api.Offers;
using Exchange.Api.State;
using Exchange.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Infrastructure;

/// <summary>Registers the API's features.</summary>
public static class ExchangeServices
{
    /// <summary>Name of the SQLite file in the data folder, shared by the API and the indexer it hosts.</summary>
    public const string DatabaseFileName = "exchange.db";

    /// <summary>Adds the database, the blob store, the offer book and the chain reader.</summary>
    public static WebApplicationBuilder AddExchangeServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(sp => new SqliteConnectionFactory(
            Path.Combine(sp.GetRequiredService<IOptions<ApiOptions>>().Value.DataDirectory, DatabaseFileName)));
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<OfferBook>();
        services.AddSingleton<ChainState>();
        services.AddSingleton<ChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        if (builder.Configuration.GetSection(ApiOptions.Section)[nameof(ApiOptions.RpcUrl)] is { Length: > 0 })
        {
            services.AddSingleton<ChainConnection>();
            services.TryAddSingleton<IMarketReader, ChainMarketReader>();
            services.AddHostedService<IndexerHost>();
        }
        else
        {
            services.TryAddSingleton<IMarketReader, NoChainMarketReader>();
        }
        return builder;
    }
}
