using Exchange.Api.Blobs;
using Exchange.Api.Infrastructure;
using Exchange.Api.Offers;
using Exchange.Api.Privacy;
using Exchange.Api.State;

namespace Exchange.Api;

/// <summary>The API's table of contents: what it registers, which middleware runs, which routes it maps.</summary>
public static class ApiApplication
{
    /// <summary>The host setting that reads <c>appsettings.json</c> without watching the folder it is in.</summary>
    public const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>Builds the application; configuration comes from <paramref name="args"/> (e.g. <c>--Api:DataDirectory</c>), the environment and appsettings.</summary>
    public static WebApplication Create(string[] args)
    {
        // appsettings.json is read once, at start, and not watched: watching it watches the working
        // directory and every folder below it (one inotify watch each, an event for each write to a
        // file there), the whole file system for a service started in / as systemd starts them. The
        // options are validated at start and never reloaded. Later arguments still override this one.
        var builder = WebApplication.CreateBuilder([NoConfigurationReload, .. args]);

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
