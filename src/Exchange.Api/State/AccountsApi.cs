using Exchange.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.State;

/// <summary>Providers and verifiers with their stake, reputation and slashes: <c>/providers</c>, <c>/verifiers</c>.</summary>
public static class AccountsApi
{
    /// <summary>Maps the account routes.</summary>
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var providers = app.MapGroup("/providers").WithTags("Indexed state");
        providers.MapGet("/", ListProviders)
            .WithName("ListProviders")
            .WithSummary("Providers, largest stake first: stake, locked collateral, reputation, earnings, slashes.");
        providers.MapGet("/{address}", GetProvider)
            .WithName("GetProvider")
            .WithSummary("One provider.");

        var verifiers = app.MapGroup("/verifiers").WithTags("Indexed state");
        verifiers.MapGet("/", ListVerifiers)
            .WithName("ListVerifiers")
            .WithSummary("Verifiers, largest stake first: stake, draw weight, audits judged (passes, fails), committee votes, passes ruled wrong on appeal, penalties, earnings.");
        return app;
    }

    internal static async Task<Ok<IReadOnlyList<ProviderView>>> ListProviders(ChainState state, CancellationToken ct) =>
        TypedResults.Ok(await state.ProvidersAsync(null, ct));

    internal static async Task<Ok<IReadOnlyList<VerifierView>>> ListVerifiers(ChainState state, CancellationToken ct) =>
        TypedResults.Ok(await state.VerifiersAsync(ct));

    internal static async Task<Results<Ok<ProviderView>, ProblemHttpResult>> GetProvider(string address, ChainState state, CancellationToken ct)
    {
        if (!HexText.TryParseAddress(address, out var account))
        {
            return Problems.Invalid(nameof(address), "address must be 0x and 40 hex digits.");
        }
        return (await state.ProvidersAsync(account, ct)) is [var provider]
            ? TypedResults.Ok(provider)
            : Problems.NotFound($"{account} has no provider stake in the index.");
    }
}
