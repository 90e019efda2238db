using Exchange.Api.Blobs;
using Exchange.Api.Infrastructure;
using Exchange.Api.Offers;
using Exchange.Api.Privacy;
using Exchange.Api.State;

namespace Exchange.Api;

/// <summary>The API's table of contents: what it registers, which middleware runs, which routes it maps.</summary>
public static class ApiApplication
{
    /// <summary>Builds the application; configuration comes from <paramref name="args"/> (e.g. <c>--Api:DataDirectory</c>), the environment and appsettings.</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddApiDefaults();
        builder.AddExchangeServices();

        var app = builder.Build();

        app.UseApiDefaults();
        app.MapBlobsApi();
        app.MapOffersApi();
        app.MapKeyRevealsApi();
        app.MapJobsApi();
        app.MapAccountsApi();
        app.MapStatsApi();
        app.MapEventsApi();
        app.MapOperationsApi();
        return app;
    }
}
