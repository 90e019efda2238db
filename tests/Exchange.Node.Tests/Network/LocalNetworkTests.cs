using Exchange.Local.Demo;
using Exchange.Local.Reliability;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>The local network's clock controls, which the court's tests build their draws on, and its API as a process of its own.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class LocalNetworkTests : IDisposable
{
    private const ulong Epoch = 600;

    private readonly TempDirectory _folder = new();

    /// <summary>The real <c>exchange</c> program, copied next to the tests, as an operator starts it.</summary>
    private static ExchangeProgram Program => new("dotnet", [Path.Combine(AppContext.BaseDirectory, "exchange.dll")]);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Advancing_from_near_an_epoch_s_end_lands_at_the_start_of_the_next_with_the_whole_epoch_ahead()
    {
        var deployment = TestNetwork.Deployment(auditRateBps: 10_000) with { EpochLength = Epoch };
        await using var network = await LocalNetwork.StartAsync(null, deployment, TestNetwork.Funded(), _folder.File("net"), CancellationToken.None);
        var (_, now) = await network.Deployer.LatestBlockAsync(default);
        var nearEnd = (((now / Epoch) + 2) * Epoch) - 3;
        await network.Web3.Client.SendRequestAsync<object>("evm_setNextBlockTimestamp", null, (long)nearEnd);
        await network.Web3.Client.SendRequestAsync<object>("evm_mine", null);

        await network.AdvanceEpochAsync(default);

        var (_, after) = await network.Deployer.LatestBlockAsync(default);
        Assert.Equal((nearEnd / Epoch) + 1, after / Epoch);
        // A test that counts on the epoch lasting (a draw from its snapshot) has nearly all of it:
        // moved by a whole epoch length, the clock would be 3 seconds from the next one.
        Assert.True(after % Epoch < 60, $"{after % Epoch} seconds into the epoch");
    }

    [Fact]
    public async Task An_api_process_serves_stops_and_serves_again_at_the_same_address()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(), _folder.File("net"), Program, CancellationToken.None);
        using var http = new HttpClient();

        using (var served = await http.GetAsync(network.ApiUrl))
        {
            Assert.True(served.IsSuccessStatusCode, served.StatusCode.ToString());
        }

        await network.StopApiAsync(default);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(network.ApiUrl));

        await network.StartApiAgainAsync(default);
        using var again = await http.GetAsync(network.ApiUrl);
        Assert.True(again.IsSuccessStatusCode, again.StatusCode.ToString());
    }
}
