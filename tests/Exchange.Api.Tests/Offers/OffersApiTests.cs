using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Accounts;
using Exchange.Api.Client.Offers;
using Exchange.Api.Offers;
using Exchange.Api.Tests.Support;
using Exchange.Core.Hashing;
using Exchange.TestSupport;

namespace Exchange.Api.Tests.Offers;

public sealed class OffersApiTests : IDisposable
{
    // 1,000 per task at 2x collateral takes 2,000 a task: 40,000 free collateral backs 20 tasks.
    private readonly KnownAccountsMarket _market = new KnownAccountsMarket()
        .Fund(DevKeys.Provider.Address(), 0, 50_000, 40_000, new Reputation(10, 3, 0, 0))
        .Fund(DevKeys.Verifier.Address(), 0, 50_000, 40_000, new Reputation(50, 9, 1, 1))
        .Fund(DevKeys.Client.Address(), 5_000, 0)
        .Fund(DevKeys.Stranger.Address(), 0, 50_000, freeCollateral: 0);
    private readonly ManualClock _clock = new();
    private readonly ApiFactory _api;
    private readonly HttpClient _http;

    public OffersApiTests()
    {
        _api = new ApiFactory(_market, clock: _clock);
        _http = _api.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    private MarketTerms Terms => _market.Terms;

    [Fact]
    public async Task Post_books_a_signed_offer_under_its_digest()
    {
        var offer = SignedOffers.Create(DevKeys.Provider, Terms);

        var response = await _http.PostAsJsonAsync("/offers", offer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var digest = SignedOffers.DigestOf(offer, Terms);
        Assert.Equal($"/offers/{digest}", response.Headers.Location!.OriginalString);
        var stored = await _http.GetFromJsonAsync<OfferRow>($"/offers/{digest}");
        Assert.Equal(DevKeys.Provider.Address(), stored!.Provider);
        Assert.Equal("1000", stored.UnitPrice);
        Assert.Equal("eu-west", stored.Region);
        Assert.Equal(300, stored.MinTurnaround);
        Assert.Equal(offer.Signature, stored.Signature);
    }

    [Fact]
    public async Task List_filters_by_maximum_turnaround_and_reports_it()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 1, minTurnaround: 60));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 2, minTurnaround: 600));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 3, minTurnaround: 0));

        var quick = await List("/offers?maxTurnaround=60");

        Assert.Equal(["1", "3"], quick.Select(o => o.Nonce).Order());
        Assert.Equal(600u, Assert.Single(await List("/offers?maxTurnaround=600"), o => o.Nonce == "2").MinTurnaround);
        Assert.Equal(3, (await List("/offers")).Count);
    }

    [Fact]
    public async Task Posting_the_same_offer_twice_keeps_one()
    {
        var offer = SignedOffers.Create(DevKeys.Provider, Terms);

        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/offers", offer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/offers", offer)).StatusCode);
        Assert.Equal(1, _api.CountRows("api_offers"));
    }

    [Fact]
    public async Task List_orders_by_price_then_reputation_and_reports_capacity()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 1_500, nonce: 1));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 1_000, nonce: 2));
        await Post(SignedOffers.Create(DevKeys.Verifier, Terms, unitPrice: 1_000, nonce: 1));

        var offers = await List("/offers");

        Assert.Equal(["1000", "1000", "1500"], offers.Select(o => o.UnitPrice));
        // At equal price the provider never slashed ranks before the one slashed once.
        Assert.Equal(DevKeys.Provider.Address(), offers[0].Provider);
        Assert.Equal(DevKeys.Verifier.Address(), offers[1].Provider);
        Assert.Equal(16u, offers[0].Capacity);
        Assert.Equal(13u, offers[2].Capacity);
        Assert.Equal(3u, offers[0].Reputation.AuditsPassed);
    }

    [Fact]
    public async Task List_filters_by_model_region_and_maximum_price()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 900, nonce: 1));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 900, nonce: 2, model: SignedOffers.ModelB));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 900, nonce: 3, region: "us-east"));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 1_900, nonce: 4));

        var offers = await List($"/offers?model={SignedOffers.ModelA}&region=eu-west&maxUnitPrice=1000");

        var only = Assert.Single(offers);
        Assert.Equal("1", only.Nonce);
        Assert.Equal(4, (await List("/offers")).Count);
        Assert.Single(await List($"/offers?model={SignedOffers.ModelB}"));
        Assert.Equal(2, (await List("/offers?limit=2")).Count);
    }

    [Fact]
    public async Task Cancelled_offer_disappears_from_the_book()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 1));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 2));
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, nonce: 3));

        // Cancelling nonce 2 on-chain cancels every offer of the provider up to it.
        _market.Cancel(DevKeys.Provider.Address(), 2);

        Assert.Equal("3", Assert.Single(await List("/offers")).Nonce);
        Assert.Equal(1, _api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Expired_offer_disappears_from_the_book()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, expiry: (ulong)_clock.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds()));
        Assert.Single(await List("/offers"));

        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Empty(await List("/offers"));
        Assert.Equal(0, _api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Offer_whose_provider_lost_its_free_collateral_is_hidden_until_collateral_returns()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms));

        _market.Fund(DevKeys.Provider.Address(), 0, 50_000, freeCollateral: 1_999);
        Assert.Empty(await List("/offers"));
        Assert.Equal(1, _api.CountRows("api_offers"));

        _market.Fund(DevKeys.Provider.Address(), 0, 50_000, freeCollateral: 4_000);
        Assert.Equal(2u, Assert.Single(await List("/offers")).Capacity);
    }

    [Fact]
    public async Task Get_of_unknown_offer_is_a_404_problem()
    {
        await ProblemAssert.IsProblem(await _http.GetAsync($"/offers/0x{new string('d', 64)}"), HttpStatusCode.NotFound, "No offer");
    }

    public static TheoryData<string, Func<MarketTerms, object>, HttpStatusCode, string> RefusedOffers() => new()
    {
        { "provider missing", t => SignedOffers.Create(DevKeys.Provider, t) with { Provider = null }, HttpStatusCode.BadRequest, "provider must be an address" },
        { "model id malformed", t => SignedOffers.Create(DevKeys.Provider, t) with { ModelId = "0x12" }, HttpStatusCode.BadRequest, "modelId must be" },
        { "unit price not a number", t => SignedOffers.Create(DevKeys.Provider, t) with { UnitPrice = "1e3" }, HttpStatusCode.BadRequest, "unitPrice must be" },
        { "unit price zero", t => SignedOffers.Create(DevKeys.Provider, t, unitPrice: 0), HttpStatusCode.BadRequest, "unitPrice must be" },
        { "unit price beyond uint256", t => SignedOffers.Create(DevKeys.Provider, t) with { UnitPrice = "1" + new string('0', 78) }, HttpStatusCode.BadRequest, "unitPrice must be" },
        { "max tasks zero", t => SignedOffers.Create(DevKeys.Provider, t) with { MaxTasks = 0 }, HttpStatusCode.BadRequest, "maxTasks must be" },
        { "min turnaround missing", t => SignedOffers.Create(DevKeys.Provider, t) with { MinTurnaround = null }, HttpStatusCode.BadRequest, "minTurnaround" },
        { "min turnaround changed after signing", t => SignedOffers.Create(DevKeys.Provider, t) with { MinTurnaround = 1 }, HttpStatusCode.UnprocessableEntity, "signature is not" },
        { "expiry missing", t => SignedOffers.Create(DevKeys.Provider, t) with { Expiry = null }, HttpStatusCode.BadRequest, "expiry" },
        { "nonce missing", t => SignedOffers.Create(DevKeys.Provider, t) with { Nonce = null }, HttpStatusCode.BadRequest, "nonce" },
        { "nonce beyond the market's sequence", t => SignedOffers.Create(DevKeys.Provider, t, nonce: uint.MaxValue), HttpStatusCode.BadRequest, "below 4294967295" },
        { "region too long", t => SignedOffers.Create(DevKeys.Provider, t) with { Region = new string('x', 33) }, HttpStatusCode.BadRequest, "at most 32" },
        { "signature malformed", t => SignedOffers.Create(DevKeys.Provider, t) with { Signature = "0xdead" }, HttpStatusCode.BadRequest, "signature must be" },
        { "max tasks of the wrong JSON type", _ => new { provider = DevKeys.Provider.GetPublicAddress(), maxTasks = "many" }, HttpStatusCode.BadRequest, "maxTasks" },
        { "expired", t => SignedOffers.Create(DevKeys.Provider, t, expiry: 1_000), HttpStatusCode.UnprocessableEntity, "expired at 1000" },
        { "signed by another key", t => SignedOffers.Create(DevKeys.Provider, t, signer: DevKeys.Stranger), HttpStatusCode.UnprocessableEntity, "signature is not" },
        { "price changed after signing", t => SignedOffers.Create(DevKeys.Provider, t) with { UnitPrice = "1" }, HttpStatusCode.UnprocessableEntity, "signature is not" },
        { "signed for another market", t => SignedOffers.Create(DevKeys.Provider, t with { Market = DevKeys.Stranger.GetPublicAddress() }), HttpStatusCode.UnprocessableEntity, "signature is not" },
        { "provider without stake", t => SignedOffers.Create(DevKeys.Client, t), HttpStatusCode.UnprocessableEntity, "has 0 free collateral" },
        { "stake not locked as collateral", t => SignedOffers.Create(DevKeys.Stranger, t), HttpStatusCode.UnprocessableEntity, "has 0 free collateral" },
        { "price beyond the free collateral", t => SignedOffers.Create(DevKeys.Provider, t, unitPrice: 30_000), HttpStatusCode.UnprocessableEntity, "takes 60000" },
        { "price below the market's minimum", t => SignedOffers.Create(DevKeys.Provider, t, unitPrice: 99), HttpStatusCode.UnprocessableEntity, "below 100 a task" },
    };

    [Theory]
    [MemberData(nameof(RefusedOffers))]
    public async Task Refused_offer_answers_a_problem_and_books_nothing(string why, Func<MarketTerms, object> offer, HttpStatusCode status, string reason)
    {
        var response = await _http.PostAsJsonAsync("/offers", offer(Terms));

        await ProblemAssert.IsProblem(response, status, reason);
        Assert.True(_api.CountRows("api_offers") == 0, why);
    }

    [Fact]
    public async Task Unreadable_json_is_a_400_problem_and_books_nothing()
    {
        var response = await _http.PostAsync("/offers", new StringContent("{\"provider\": ", Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "offer");
        Assert.Equal(0, _api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Offer_cancelled_on_chain_is_refused()
    {
        var offer = SignedOffers.Create(DevKeys.Provider, Terms, nonce: 4);
        _market.Cancel(DevKeys.Provider.Address(), 4);

        await ProblemAssert.IsProblem(await _http.PostAsJsonAsync("/offers", offer), HttpStatusCode.UnprocessableEntity, "cancelled");
        Assert.Equal(0, _api.CountRows("api_offers"));
    }

    [Fact]
    public async Task Another_offer_under_a_used_nonce_is_a_409_conflict()
    {
        await Post(SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 1_000, nonce: 7));

        var response = await _http.PostAsJsonAsync("/offers", SignedOffers.Create(DevKeys.Provider, Terms, unitPrice: 1_200, nonce: 7));

        await ProblemAssert.IsProblem(response, HttpStatusCode.Conflict, "nonce 7");
        Assert.Equal("1000", Assert.Single(await List("/offers")).UnitPrice);
    }

    [Theory]
    [InlineData("/offers?model=0x1", "model must be")]
    [InlineData("/offers?maxUnitPrice=-5", "maxUnitPrice must be")]
    [InlineData("/offers?limit=0", "limit must be")]
    [InlineData("/offers?maxTurnaround=-1", "maxTurnaround must be")]
    [InlineData("/offers?limit=abc", "limit")]
    [InlineData("/offers/0xnothex", "digest is 0x")]
    public async Task Malformed_query_is_a_400_problem(string url, string reason)
    {
        await ProblemAssert.IsProblem(await _http.GetAsync(url), HttpStatusCode.BadRequest, reason);
    }

    private async Task Post(OfferSubmission offer) =>
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/offers", offer)).StatusCode);

    private async Task<List<BookedOffer>> List(string url) =>
        (await _http.GetFromJsonAsync<List<BookedOffer>>(url, new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
}
