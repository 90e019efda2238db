using Microsoft.Extensions.FileProviders;

namespace Exchange.Api.Infrastructure;

/// <summary>Serves the dashboard page at <c>/</c> from files embedded in the assembly, so it needs no build step and no content root.</summary>
public static class Dashboard
{
    /// <summary>Adds the dashboard's static files.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new EmbeddedFileProvider(typeof(Dashboard).Assembly, "Exchange.Api.Dashboard");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
