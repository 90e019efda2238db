using Exchange.Chain.Wallets;
using Exchange.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Exchange.Node.Tests.Hosting;

/// <summary>A node's <c>Node</c> section from configuration, as a configuration file gives it: a WebSocket URL must be ws:// or wss://.</summary>
public sealed class NodeOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8545/")]
    [InlineData("https://rpc.example/")]
    [InlineData("ftp://127.0.0.1/")]
    public void A_configured_WebSocket_URL_that_is_not_ws_or_wss_is_refused_with_its_name(string url)
    {
        using var services = Services(url);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NodeOptions>>().Value);

        Assert.Contains($"WsUrl must be a ws:// or wss:// URL, not '{url}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ws://127.0.0.1:8545/")]
    [InlineData("wss://rpc.example/ws")]
    [InlineData(null)]
    public void A_ws_or_wss_URL_or_none_is_taken(string? url)
    {
        using var services = Services(url);

        Assert.Equal(url, services.GetRequiredService<IOptions<NodeOptions>>().Value.WsUrl?.ToString());
    }

    private static ServiceProvider Services(string? wsUrl)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:RpcUrl"] = "http://127.0.0.1:8545/",
            ["Node:WsUrl"] = wsUrl,
            ["Node:ApiUrls:0"] = "http://127.0.0.1:5000/",
            ["Node:DataDirectory"] = Path.GetTempPath(),
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddProviderNode(DevAccounts.Key(1));
        return services.BuildServiceProvider();
    }
}
