using System.Net.Http.Json;
using Exchange.Api.State;
using Exchange.Api.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Playwright;

namespace Exchange.Api.Tests.Browser;

/// <summary>
/// Headless Chromium loads the dashboard served by the API over Kestrel, against a live chain whose
/// jobs were left in several states and one was slashed by the court; it reads the tables, opens a
/// job and the disputed job's committee round, and sees a new job arrive live.
/// The screenshot is kept under the test output folder (artifacts/dashboard.png).
/// </summary>
[Collection(ChainFixture.Collection)]
public sealed class DashboardBrowserTests(ChainFixture chain)
{
    private const float Timeout = 30_000;

    [Fact]
    public async Task Dashboard_shows_jobs_accounts_and_detail_and_updates_live()
    {
        using var api = ChainActions.Api(chain, new Dictionary<string, string?> { ["Api:IndexerPollMilliseconds"] = "100" });
        var address = api.StartKestrel();
        using var http = new HttpClient { BaseAddress = address };
        var scenario = new JobScenario(chain, client: 17, provider: 18);
        var ids = await scenario.RunMixAsync();
        var slashed = await scenario.RunDisputeAsync([1, 2, 3, 9]);
        await Eventually.GetAsync(() => http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}&status=Expired")!,
            p => p!.Items.Count == 1, "indexing the scenario");
        await Eventually.GetAsync(() => http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}&status=Slashed")!,
            p => p!.Items.Count == 1, "indexing the ruling");

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(address.ToString());
        await page.WaitForSelectorAsync("body[data-loaded]", new() { State = WaitForSelectorState.Attached, Timeout = Timeout });
        await page.WaitForSelectorAsync("#live[data-state=open]", new() { Timeout = Timeout });

        foreach (var (expected, id) in new[] { ("Created", ids["created"]), ("Submitted", ids["submitted"]), ("Expired", ids["expired"]) })
        {
            var row = page.Locator($"#jobs tbody tr[data-key='job-{id}']");
            Assert.Equal(expected, await row.Locator(".status").First.TextContentAsync());
        }
        var settledStatus = await page.Locator($"#jobs tbody tr[data-key='job-{ids["settled"]}'] .status").First.TextContentAsync();
        Assert.Contains(settledStatus, new[] { "Settled", "Auditing" });
        Assert.True(int.Parse(await page.TextContentAsync("#count-jobs") ?? "0") >= 4);
        Assert.Equal(1, await page.Locator($"#providers tbody tr[data-key='{scenario.Provider}']").CountAsync());
        Assert.Equal("60", await page.GetAttributeAsync("#chart-throughput", "data-points"));

        await page.Locator($"#jobs tbody tr[data-key='job-{ids["expired"]}']").ClickAsync();
        await page.WaitForSelectorAsync("#detail-timeline li[data-event='JobExpired']", new() { Timeout = Timeout });
        Assert.Equal(ids["expired"].ToString(), await page.TextContentAsync("#detail-id"));
        Assert.Equal(1, await page.Locator("#detail-timeline li[data-event='JobCreated']").CountAsync());
        Assert.Equal("Expired", await page.TextContentAsync("#detail-fields dd[data-field='status']"));

        await page.Locator($"#jobs tbody tr[data-key='job-{slashed}']").ClickAsync();
        await page.WaitForSelectorAsync("#detail-rounds li[data-round='0']", new() { Timeout = Timeout });
        Assert.Equal(slashed.ToString(), await page.TextContentAsync("#detail-id"));
        Assert.Equal("Slashed", await page.TextContentAsync("#detail-fields dd[data-field='status']"));
        Assert.Equal("failed", await page.TextContentAsync("#detail-fields dd[data-field='audit']"));
        Assert.Equal("provider-wrong", await page.GetAttributeAsync("#detail-rounds li[data-round='0'] .round-head", "data-ruling"));
        Assert.True(await page.Locator("#detail-rounds li[data-round='0'] li[data-vote='provider-wrong']").CountAsync() >= 1);
        Assert.True(int.Parse(await page.TextContentAsync("#count-disputes") ?? "0") >= 1);

        var (live, _) = await scenario.CreateAsync(3);
        await page.WaitForSelectorAsync($"#jobs tbody tr[data-key='job-{live}']", new() { Timeout = Timeout });
        await page.WaitForSelectorAsync($"#feed li:has-text('job {live} JobCreated')", new() { Timeout = Timeout });
        Assert.Equal("Created", await page.Locator($"#jobs tbody tr[data-key='job-{live}'] .status").First.TextContentAsync());

        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot has content");
        Assert.Empty(errors);
    }
}
