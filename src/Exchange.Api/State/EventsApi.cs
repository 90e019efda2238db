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
            .WithSummary("Server-sent events: 'ready' once subscribed, then 'job' for each event of a job (with its new status), 'chain' for the others (stakes, deposits, offers).");
        return app;
    }

    internal static ServerSentEventsResult<object> StreamEvents(ChangeFeed feed, CancellationToken ct) =>
        TypedResults.ServerSentEvents(Items(feed, ct));

    private static async IAsyncEnumerable<SseItem<object>> Items(ChangeFeed feed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // A first event sends the headers at once, so a client knows it is subscribed before anything happens on-chain.
        yield return new SseItem<object>(new { subscribed = true }, "ready");
        await foreach (var change in feed.SubscribeAsync(ct))
        {
            yield return new SseItem<object>(change, change.JobId is null ? "chain" : "job");
        }
    }
}
