using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace Exchange.Api.Infrastructure;

/// <summary>Cross-cutting policy of the API: errors, limits, documentation, health and metrics.</summary>
public static class ApiDefaults
{
    /// <summary>Registers ProblemDetails, rate limiting, OpenAPI, health checks and metrics.</summary>
    public static WebApplicationBuilder AddApiDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // One line per request is noise for an operator; failures and the start-up lines stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures throw, so that the exception handler turns them into ProblemDetails
        // carrying the reason instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.NumberHandling =
            System.Text.Json.Serialization.JsonNumberHandling.Strict);

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var limit = context.RequestServices
                    .GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.RequestsPerSecondPerIp;
                return RateLimitPartition.GetTokenBucketLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString(),
                    _ => TokenBuckets.PerSecond(limit));
            });
            o.OnRejected = (rejected, _) => WriteTooManyRequestsAsync(rejected.HttpContext, rejected.Lease);
        });
        services.AddSingleton<AddressRateLimiter>();
        // Replaces Kestrel's pool of 4 KiB blocks (see LargeBlockMemoryPool): registered last, it is the one resolved.
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        // Kestrel's limits from configuration (`Kestrel:Limits:MaxConcurrentConnections`, ...): the host
        // reads only endpoints and certificates from that section, and an API open to the internet caps
        // its connections, each of which may hold a block of that pool while a request arrives.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));

        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter(ApiMetrics.MeterName)
            .AddPrometheusExporter());
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Adds the middleware in its order and the operational endpoints.</summary>
    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseDashboard();
        return app;
    }

    /// <summary>Maps the OpenAPI document, its reference page, the health check and the metrics.</summary>
    public static WebApplication MapOperationsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapHealthChecks("/health");
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    internal static async ValueTask WriteTooManyRequestsAsync(HttpContext context, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter =
                Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "The rate limit for this client was reached; retry later.",
            },
        });
    }
}
