using Exchange.Api.Tests.Support;

namespace Exchange.Api.Tests.Browser;

public sealed class PlaywrightSmokeTests
{
    [Fact]
    public async Task Dashboard_loads_in_chromium()
    {
        using var api = new ApiFactory(new KnownAccountsMarket());
        var address = api.StartKestrel();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(address.ToString());
        await page.WaitForSelectorAsync("#live[data-state=open]");
        await page.WaitForSelectorAsync("body[data-loaded]", new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });
        Assert.Equal("0", await page.TextContentAsync("#count-jobs"));
    }
}
