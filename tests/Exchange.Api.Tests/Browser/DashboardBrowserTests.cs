using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.RegularExpressions;
using Exchange.Api.State;
using Exchange.Api.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Playwright;

namespace Exchange.Api.Tests.Browser;

/// <summary>
/// Headless Chromium loads the dashboard served by the API over Kestrel, against a live chain whose
/// jobs were left in several states at a unit price below a cent: one settled unaudited, one passed
/// by its verifier, one slashed by the court after a fail verdict and one after its pass was
/// appealed (the lazy verifier caught). It sees the loading state before any data, reads the
/// tables against the API's JSON (prices with every significant digit, dates as dates, how each job
/// settled, each verifier's audits, votes, caught passes and earnings), opens jobs and the disputed
/// job's committee round, and sees a new job arrive live.
/// The screenshot is kept under the test output folder (artifacts/dashboard.png).
/// </summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed partial class DashboardBrowserTests(ChainFixture chain)
{
    private const float Timeout = 30_000;

    // 0.0005 tokens a task: two decimals would show it as 0.00.
    private static readonly BigInteger UnitPrice = ChainActions.Tokens(5) / 10_000;

    [Fact]
    public async Task Dashboard_shows_jobs_accounts_and_detail_and_updates_live()
    {
        using var api = ChainActions.Api(chain, new Dictionary<string, string?> { ["Api:IndexerPollMilliseconds"] = "100" });
        var address = api.StartKestrel();
        using var http = new HttpClient { BaseAddress = address };
        var scenario = new JobScenario(chain, client: 17, provider: 18, UnitPrice);
        // The table lists the newest 50 jobs: the jobs looked at come last.
        var slashed = await scenario.RunDisputeAsync([1, 2, 3, 9]);
        var (appealed, lazy) = await scenario.RunPassAppealAsync([1, 2, 3, 9]);
        var (passed, passer) = await scenario.RunPassAsync([1, 2, 3, 9]);
        var unaudited = await scenario.RunUnauditedAsync();
        var ids = await scenario.RunMixAsync();
        await Eventually.GetAsync(() => http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}&status=Expired")!,
            p => p!.Items.Count == 1, "indexing the scenario");
        await Eventually.GetAsync(() => http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}&status=Slashed")!,
            p => p!.Items.Count == 2, "indexing the rulings");
        await Eventually.GetAsync(() => http.GetFromJsonAsync<JobDetail>($"/jobs/{unaudited}")!, j => j!.Status == "Settled", "indexing the unaudited settlement");
        var passedJob = await Eventually.GetAsync(() => http.GetFromJsonAsync<JobDetail>($"/jobs/{passed}")!, j => j!.Status == "Settled", "indexing the pass");
        Assert.Equal("audited", passedJob!.Settlement);

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        // Until the first answers arrive the page says it is loading: no zeros, no empty tables.
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/stats", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync(address.ToString());
        Assert.Equal("loading", await page.GetAttributeAsync("body", "data-state"));
        foreach (var table in new[] { "jobs", "providers", "verifiers" })
        {
            Assert.Equal(1, await page.Locator($"#{table} tbody tr").CountAsync());
            Assert.Equal("loading", await page.GetAttributeAsync($"#{table} tbody tr.placeholder", "data-state"));
        }
        Assert.Equal("–", await page.TextContentAsync("#count-jobs"));
        Assert.Equal("–", await page.TextContentAsync("#count-audits"));
        release.SetResult();
        await page.WaitForSelectorAsync("body[data-state=ready]", new() { State = WaitForSelectorState.Attached, Timeout = Timeout });
        await page.UnrouteAsync("**/stats");
        await page.WaitForSelectorAsync("#live[data-state=open]", new() { Timeout = Timeout });
        Assert.Equal(0, await page.Locator("#jobs tbody tr.placeholder").CountAsync());

        foreach (var (expected, id) in new[] { ("Created", ids["created"]), ("Submitted", ids["submitted"]), ("Expired", ids["expired"]) })
        {
            var row = page.Locator($"#jobs tbody tr[data-key='job-{id}']");
            Assert.Equal(expected, await row.Locator(".status").First.TextContentAsync());
        }
        var settledStatus = await page.Locator($"#jobs tbody tr[data-key='job-{ids["settled"]}'] .status").First.TextContentAsync();
        Assert.Contains(settledStatus, new[] { "Settled", "Auditing" });
        Assert.True(int.Parse(await page.TextContentAsync("#count-jobs") ?? "0", CultureInfo.InvariantCulture) >= 4);
        Assert.Equal(1, await page.Locator($"#providers tbody tr[data-key='{scenario.Provider}']").CountAsync());
        Assert.Equal("60", await page.GetAttributeAsync("#chart-throughput", "data-points"));

        // Prices keep their significant digits, dates read as dates, and each settled job says how it settled.
        Assert.Equal("0.0005", await JobCellAsync(page, ids["created"], "unit-price"));
        Assert.Matches(DateText(), await page.Locator($"#jobs tbody tr[data-key='job-{ids["created"]}'] td").Last.TextContentAsync() ?? "");
        Assert.Equal("unaudited", await JobCellAsync(page, unaudited, "settlement"));
        Assert.Equal("audited", await JobCellAsync(page, passed, "settlement"));
        Assert.Equal("–", await JobCellAsync(page, ids["created"], "settlement"));
        Assert.Equal("0", await JobCellAsync(page, slashed, "appeals"));
        Assert.Equal("1", await JobCellAsync(page, appealed, "appeals"));
        Assert.Equal("failed", await page.Locator($"#jobs tbody tr[data-key='job-{appealed}'] .audit-failed").TextContentAsync());

        // Every verifier row counts what the API counts, and the counts are not all zero.
        var verifiers = (await http.GetFromJsonAsync<List<VerifierView>>("/verifiers"))!;
        Assert.NotEmpty(verifiers);
        foreach (var v in verifiers)
        {
            var row = $"#verifiers tbody tr[data-key='{v.Address}']";
            Assert.Equal(v.Verdicts.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync($"{row} td[data-field='audits']"));
            Assert.Equal(v.Passes.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync($"{row} td[data-field='passes']"));
            Assert.Equal(v.Fails.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync($"{row} td[data-field='fails']"));
            Assert.Equal(v.Votes.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync($"{row} td[data-field='votes']"));
            Assert.Equal(v.PassesOverturned.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync($"{row} td[data-field='caught']"));
            Assert.Equal(TokenText(v.Earnings), await page.TextContentAsync($"{row} td[data-field='earnings']"));
        }
        var slashedJob = (await http.GetFromJsonAsync<JobDetail>($"/jobs/{slashed}"))!;
        var challenger = verifiers.Single(v => v.Address == slashedJob.Dispute!.Challenger);
        Assert.True(challenger.Fails >= 1 && BigInteger.Parse(challenger.Earnings, CultureInfo.InvariantCulture) > 0, "the challenger proven right failed a job and earned");
        Assert.True(verifiers.Single(v => v.Address == passer).Passes >= 1);
        Assert.Contains(verifiers, v => v.Votes >= 1);
        var caught = verifiers.Single(v => v.Address == lazy);
        Assert.True(caught.PassesOverturned >= 1 && BigInteger.Parse(caught.Penalised, CultureInfo.InvariantCulture) > 0, "the lazy verifier was caught and penalised");
        Assert.True(int.Parse(await page.TextContentAsync("#count-passes-overturned") ?? "0", CultureInfo.InvariantCulture) >= 1);

        // A job's detail says it is loading until its own data arrives.
        var detailRelease = new TaskCompletionSource();
        await page.RouteAsync($"**/jobs/{ids["expired"]}", async route =>
        {
            await detailRelease.Task;
            await route.ContinueAsync();
        });
        await page.Locator($"#jobs tbody tr[data-key='job-{ids["expired"]}']").ClickAsync();
        await page.WaitForSelectorAsync($"#job-detail[data-job='{ids["expired"]}'][data-state=loading]", new() { Timeout = Timeout });
        Assert.Equal("loading…", await page.TextContentAsync("#detail-fields"));
        detailRelease.SetResult();
        await page.WaitForSelectorAsync($"#job-detail[data-job='{ids["expired"]}'][data-state=ready]", new() { Timeout = Timeout });
        await page.UnrouteAsync($"**/jobs/{ids["expired"]}");
        await page.WaitForSelectorAsync("#detail-timeline li[data-event='JobExpired']", new() { Timeout = Timeout });
        Assert.Equal(ids["expired"].ToString(), await page.TextContentAsync("#detail-id"));
        Assert.Equal(1, await page.Locator("#detail-timeline li[data-event='JobCreated']").CountAsync());
        Assert.Equal("Expired", await page.TextContentAsync("#detail-fields dd[data-field='status']"));
        Assert.Matches(DateText(), await page.TextContentAsync("#detail-fields dd[data-field='deadline']") ?? "");
        // The timeline reads its arguments too: the unit price in tokens, the deadline as a date.
        var created = await page.TextContentAsync("#detail-timeline li[data-event='JobCreated']") ?? "";
        Assert.Contains("unitPrice 0.0005,", created);
        Assert.Matches(@"deadline \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", created);

        await page.Locator($"#jobs tbody tr[data-key='job-{passed}']").ClickAsync();
        await page.WaitForSelectorAsync($"#job-detail[data-job='{passed}'][data-state=ready]", new() { Timeout = Timeout });
        Assert.Equal("audited", await page.TextContentAsync("#detail-fields dd[data-field='settlement']"));
        Assert.Equal("pass", await page.TextContentAsync("#detail-fields dd[data-field='verdict']"));
        Assert.Equal("0.0005", await page.TextContentAsync("#detail-fields dd[data-field='unit price']"));
        Assert.Matches(DateText(), await page.TextContentAsync("#detail-fields dd[data-field='pass appealable until']") ?? "");

        await page.Locator($"#jobs tbody tr[data-key='job-{appealed}']").ClickAsync();
        await page.WaitForSelectorAsync($"#job-detail[data-job='{appealed}'][data-state=ready]", new() { Timeout = Timeout });
        await page.WaitForSelectorAsync("#detail-dispute[data-opened-by='pass-appeal']", new() { Timeout = Timeout });
        Assert.Equal("Slashed", await page.TextContentAsync("#detail-fields dd[data-field='status']"));
        Assert.Equal("pass", await page.TextContentAsync("#detail-fields dd[data-field='verdict']"));
        var summary = await page.TextContentAsync("#detail-dispute-summary") ?? "";
        Assert.Contains($"appealed {lazy[..6]}", summary);
        Assert.Contains("passing verifier lost ", summary);
        Assert.Contains("round 0 (pass appeal)", await page.TextContentAsync("#detail-rounds li[data-round='0'] .round-head") ?? "");

        await page.Locator($"#jobs tbody tr[data-key='job-{slashed}']").ClickAsync();
        await page.WaitForSelectorAsync($"#job-detail[data-job='{slashed}'][data-state=ready]", new() { Timeout = Timeout });
        await page.WaitForSelectorAsync("#detail-rounds li[data-round='0']", new() { Timeout = Timeout });
        Assert.Equal(slashed.ToString(), await page.TextContentAsync("#detail-id"));
        Assert.Equal("Slashed", await page.TextContentAsync("#detail-fields dd[data-field='status']"));
        Assert.Equal("failed", await page.TextContentAsync("#detail-fields dd[data-field='audit']"));
        Assert.Equal("fail-verdict", await page.GetAttributeAsync("#detail-dispute", "data-opened-by"));
        Assert.Equal("provider-wrong", await page.GetAttributeAsync("#detail-rounds li[data-round='0'] .round-head", "data-ruling"));
        Assert.Contains(" UTC", await page.TextContentAsync("#detail-rounds li[data-round='0'] .round-head") ?? "");
        Assert.True(await page.Locator("#detail-rounds li[data-round='0'] li[data-vote='provider-wrong']").CountAsync() >= 1);
        Assert.True(int.Parse(await page.TextContentAsync("#count-disputes") ?? "0", CultureInfo.InvariantCulture) >= 1);

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

    private static Task<string?> JobCellAsync(IPage page, BigInteger id, string field) =>
        page.TextContentAsync($"#jobs tbody tr[data-key='job-{id}'] td[data-field='{field}']");

    /// <summary>An amount of the token's smallest unit as the dashboard writes it: every significant decimal, thousands grouped.</summary>
    private static string TokenText(string amount)
    {
        var units = BigInteger.Parse(amount, CultureInfo.InvariantCulture);
        var one = BigInteger.Pow(10, 18);
        var size = BigInteger.Abs(units);
        var fraction = (size % one).ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        return (units.Sign < 0 ? "-" : "") + (size / one).ToString("#,0", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")]
    private static partial Regex DateText();
}
