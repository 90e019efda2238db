using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.State;

/// <summary>Live updates: <c>/events</c> as server-sent events, one per indexed chain event.</summary>
public static class EventsApi
{
    /// <summary>Maps the event stream.</summary>
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/events").WithTags("Indexed state")
            .MapGet("/", StreamEvents)
            .WithName("StreamEvents")
            .WithSummary("Server-sent events: 'job' for each event of a job (with its new status), 'chain' for the others (stakes, deposits, offers).");
        return app;
    }

    internal static ServerSentEventsResult<ChainChange> StreamEvents(ChangeFeed feed, CancellationToken ct) =>
        TypedResults.ServerSentEvents(Items(feed, ct));

    private static async IAsyncEnumerable<SseItem<ChainChange>> Items(ChangeFeed feed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var change in feed.SubscribeAsync(ct))
        {
            yield return new SseItem<ChainChange>(change, change.JobId is null ? "chain" : "job");
        }
    }
}
