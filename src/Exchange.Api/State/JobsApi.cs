using Exchange.Api.Infrastructure;
using Exchange.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.State;

/// <summary>Jobs as the chain indexer sees them: <c>/jobs</c>.</summary>
public static class JobsApi
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    /// <summary>Maps the job routes.</summary>
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs").WithTags("Indexed state");

        jobs.MapGet("/", ListJobs)
            .WithName("ListJobs")
            .WithSummary("Jobs newest first, paged, filtered by status, client and provider.");
        jobs.MapGet("/{id:long}", GetJob)
            .WithName("GetJob")
            .WithSummary("One job: record, roots, audit, dispute, settlement, gas and the timeline of its events.");
        return app;
    }

    internal static async Task<Results<Ok<JobPage>, ProblemHttpResult>> ListJobs(
        ChainState state, string? status, string? client, string? provider, int? page, int? pageSize, CancellationToken ct)
    {
        JobStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<JobStatus>(status, ignoreCase: true, out var parsed) || parsed == JobStatus.None || char.IsAsciiDigit(status[0]))
            {
                return Problems.Invalid(nameof(status), $"status must be one of {string.Join(", ", Enum.GetNames<JobStatus>().Skip(1))}.");
            }
            wanted = parsed;
        }
        string? clientAddress = null;
        if (client is not null && !HexText.TryParseAddress(client, out clientAddress))
        {
            return Problems.Invalid(nameof(client), "client must be an address: 0x and 40 hex digits.");
        }
        string? providerAddress = null;
        if (provider is not null && !HexText.TryParseAddress(provider, out providerAddress))
        {
            return Problems.Invalid(nameof(provider), "provider must be an address: 0x and 40 hex digits.");
        }
        if (page is < 1)
        {
            return Problems.Invalid(nameof(page), "page starts at 1.");
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problems.Invalid(nameof(pageSize), $"pageSize must be between 1 and {MaxPageSize}.");
        }
        return TypedResults.Ok(await state.JobsAsync(wanted, clientAddress, providerAddress, page ?? 1, pageSize ?? DefaultPageSize, ct));
    }

    internal static async Task<Results<Ok<JobDetail>, ProblemHttpResult>> GetJob(long id, ChainState state, CancellationToken ct) =>
        await state.JobAsync(id, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"No job {id} in the index.");
}
