using System.Text.Json;

namespace Exchange.Core.Tests;

/// <summary>The known answers computed with ethers v6 by tests/fixtures/eip712/make.js.</summary>
internal static class EthersVectors
{
    public static JsonElement Root { get; } = JsonDocument.Parse(Fixtures.Bytes("eip712", "vectors.json")).RootElement;

    public static IEnumerable<JsonElement> Items(string name) => Root.GetProperty(name).EnumerateArray();

    public static string Text(this JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
