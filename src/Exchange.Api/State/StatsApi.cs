using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.State;

/// <summary>The network at a glance: <c>/stats</c>.</summary>
public static class StatsApi
{
    /// <summary>Maps the stats route.</summary>
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/stats").WithTags("Indexed state")
            .MapGet("/", GetStats)
            .WithName("GetStats")
            .WithSummary("Jobs by status, tasks settled, tasks per second over recent windows, gas per task, slashes, throughput per minute.");
        return app;
    }

    internal static async Task<Ok<NetworkStats>> GetStats(ChainState state, CancellationToken ct) => TypedResults.Ok(await state.StatsAsync(ct));
}
