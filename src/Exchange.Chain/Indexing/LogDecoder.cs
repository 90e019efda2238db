using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Exchange.Chain.Bindings;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Indexing;

/// <summary>Decodes the logs of the four contracts into names and JSON arguments, from the generated ABIs.</summary>
internal sealed class LogDecoder
{
    private readonly Dictionary<string, string> _contractByAddress;
    private readonly Dictionary<(string Contract, string Topic), EventABI> _events = [];

    public LogDecoder(IReadOnlyDictionary<string, string> addressByContract)
    {
        _contractByAddress = addressByContract.ToDictionary(p => p.Value.ToLowerInvariant(), p => p.Key);
        foreach (var artifact in ContractArtifacts.All)
        {
            foreach (var e in ABIDeserialiserFactory.DeserialiseContractABI(artifact.Abi).Events)
            {
                _events[(artifact.Name, "0x" + e.Sha3Signature)] = e;
            }
        }
    }

    /// <summary>The addresses to ask <c>eth_getLogs</c> for.</summary>
    public string[] Addresses => [.. _contractByAddress.Keys];

    /// <summary>Decodes a log; null for a log of another address or an event not in the ABI.</summary>
    public (string Contract, string Name, JsonObject Args)? Decode(FilterLog log)
    {
        if (!_contractByAddress.TryGetValue(log.Address.ToLowerInvariant(), out var contract)
            || log.Topics is not { Length: > 0 }
            || !_events.TryGetValue((contract, log.Topics[0].ToString()!.ToLowerInvariant()), out var abi))
        {
            return null;
        }

        var decoded = abi.DecodeEventDefaultTopics(log);
        var args = new JsonObject();
        foreach (var value in decoded.Event)
        {
            args[value.Parameter.Name] = ToJson(value.Result);
        }

        return (contract, abi.Name, args);
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        BigInteger n => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create("0x" + Convert.ToHexStringLower(bytes)),
        string s => JsonValue.Create(s.ToLowerInvariant()),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
