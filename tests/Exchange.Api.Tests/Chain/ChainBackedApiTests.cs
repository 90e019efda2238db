using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Offers;
using Exchange.Api.Offers;
using Exchange.Api.Tests.Support;
using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Api.Tests.Chain;

/// <summary>The API's chain checks against a live Hardhat chain with the contracts deployed.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class ChainBackedApiTests(ChainFixture chain)
{
    private MarketTerms Terms => new(chain.ChainId, chain.Deployment.JobMarket, 0, 0);

    [Fact]
    public async Task Market_reader_reports_deposit_stake_and_free_collateral_from_the_contracts()
    {
        await ChainActions.DepositAsync(chain, 10, ChainActions.Tokens(5));
        await ChainActions.StakeAsync(chain, 10, ChainActions.Tokens(1_000));
        using var api = ChainActions.Api(chain);
        var market = api.Services.GetRequiredService<IMarketReader>();
        var address = DevAccounts.Address(10).ToLowerInvariant();

        var staked = await market.GetStandingAsync(address, CancellationToken.None);
        await ChainActions.LockCollateralAsync(chain, 10, ChainActions.Tokens(600));
        var locked = await market.GetStandingAsync(address, CancellationToken.None);
        var terms = await market.GetTermsAsync(CancellationToken.None);

        Assert.Equal(ChainActions.Tokens(5), staked.Deposit);
        Assert.Equal(ChainActions.Tokens(1_000), staked.Stake);
        // Stake alone backs no job: only what the provider locked for the market does.
        Assert.Equal(0, staked.FreeCollateral);
        Assert.Equal(ChainActions.Tokens(1_000), locked.Stake);
        Assert.Equal(ChainActions.Tokens(600), locked.FreeCollateral);
        Assert.Equal(chain.Options.Market.CollateralMultiplierBps, (uint)terms.CollateralMultiplierBps);
        Assert.Equal(chain.Options.Market.MinUnitPrice, terms.MinUnitPrice);
        Assert.Equal(AccountStanding.None, await market.GetStandingAsync(DevAccounts.Address(19).ToLowerInvariant(), CancellationToken.None));
    }

    [Fact]
    public async Task Uploads_need_a_deposit_or_a_stake_on_the_market()
    {
        await ChainActions.DepositAsync(chain, 11, ChainActions.Tokens(1));
        await ChainActions.StakeAsync(chain, 12, ChainActions.Tokens(1_000), role: 2);
        using var api = ChainActions.Api(chain);
        using var http = api.CreateClient();

        var byDepositor = await http.SendAsync(Uploads.Put([1, 2, 3], DevAccounts.Key(11)));
        var byStaker = await http.SendAsync(Uploads.Put([4, 5, 6], DevAccounts.Key(12)));
        var byNobody = await http.SendAsync(Uploads.Put([7, 8, 9], DevAccounts.Key(19)));

        Assert.Equal(HttpStatusCode.Created, byDepositor.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byStaker.StatusCode);
        await ProblemAssert.IsProblem(byNobody, HttpStatusCode.Forbidden, "neither a deposit nor a stake");
        Assert.Equal(2, api.CountRows("api_blobs"));
    }

    [Fact]
    public async Task Offer_backed_by_free_collateral_is_booked_and_disappears_when_cancelled_on_chain()
    {
        await ChainActions.StakeAsync(chain, 13, ChainActions.Tokens(1_000));
        await ChainActions.LockCollateralAsync(chain, 13, ChainActions.Tokens(120));
        using var api = ChainActions.Api(chain);
        using var http = api.CreateClient();
        var offer = SignedOffers.Create(DevAccounts.Key(13), Terms, unitPrice: ChainActions.Tokens(1), nonce: 1);

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/offers", offer)).StatusCode);
        var booked = Assert.Single(await List(http));
        // 120 tokens of free collateral at 10x back 12 tasks of one token; the other 880 staked back none.
        Assert.Equal(12u, booked.Capacity);

        await ChainActions.CancelOfferAsync(chain, 13, offer);

        Assert.Empty(await List(http));
        Assert.Equal(0, api.CountRows("api_offers"));
        await ProblemAssert.IsProblem(await http.PostAsJsonAsync("/offers", offer), HttpStatusCode.UnprocessableEntity, "cancelled");
        Assert.Equal(0, api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Offer_priced_beyond_the_providers_free_collateral_is_refused()
    {
        await ChainActions.StakeAsync(chain, 14, ChainActions.Tokens(5_000));
        await ChainActions.LockCollateralAsync(chain, 14, ChainActions.Tokens(1_000));
        using var api = ChainActions.Api(chain);
        using var http = api.CreateClient();

        // 200 tokens a task at the deployment's 10x collateral (docs/contracts.md) takes 2,000 tokens; 1,000 are free
        // collateral, and the 4,000 staked but not locked for the market do not count.
        var response = await http.PostAsJsonAsync("/offers", SignedOffers.Create(DevAccounts.Key(14), Terms, unitPrice: ChainActions.Tokens(200)));

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "Insufficient free collateral");
        Assert.Equal(0, api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Offer_below_the_markets_minimum_unit_price_is_refused()
    {
        using var api = ChainActions.Api(chain);
        using var http = api.CreateClient();

        // The market's minimum comes from the deployed market, before the provider's standing is asked.
        var response = await http.PostAsJsonAsync("/offers", SignedOffers.Create(DevAccounts.Key(19), Terms, unitPrice: chain.Options.Market.MinUnitPrice - 1));

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "below the minimum");
        Assert.Equal(0, api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Unreachable_chain_node_is_a_503_problem_and_stores_nothing()
    {
        using var api = new ApiFactory(null, new Dictionary<string, string?> { ["Api:RpcUrl"] = "http://127.0.0.1:9" });
        using var http = api.CreateClient();

        await ProblemAssert.IsProblem(await http.SendAsync(Uploads.Put([1], DevKeys.Client)), HttpStatusCode.ServiceUnavailable, "did not answer");
        Assert.Equal(0, api.CountRows("api_blobs"));
        Assert.Equal(0, api.CountBlobFiles());
    }

    private static async Task<List<BookedOffer>> List(HttpClient http) =>
        (await http.GetFromJsonAsync<List<BookedOffer>>("/offers", new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
}
