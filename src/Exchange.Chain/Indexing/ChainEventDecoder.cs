using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text.Json.Nodes;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Decodes the logs of a deployment's four contracts into the bindings' event types: the event's
/// topic picks the type among those the emitting contract's ABI declares, and the log is decoded
/// once, by that type alone.
/// </summary>
public sealed class ChainEventDecoder
{
    private static readonly Dictionary<string, (string Name, Func<FilterLog, IEventDTO> Decode)> ByTopic = BuildTypes();

    private static readonly HashSet<(string Contract, string Topic)> Declared = [.. ContractArtifacts.All
        .SelectMany(a => ABIDeserialiserFactory.DeserialiseContractABI(a.Abi).Events.Select(e => (a.Name, "0x" + e.Sha3Signature)))];

    private readonly Dictionary<string, string> _contractByAddress;

    /// <summary>Creates a decoder of the logs of <paramref name="deployment"/>'s contracts.</summary>
    public ChainEventDecoder(ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        _contractByAddress = new Dictionary<string, string>
        {
            [deployment.ComputeToken.ToLowerInvariant()] = "ComputeToken",
            [deployment.StakingVault.ToLowerInvariant()] = "StakingVault",
            [deployment.JobMarket.ToLowerInvariant()] = "JobMarket",
            [deployment.AuditCourt.ToLowerInvariant()] = "AuditCourt",
        };
    }

    /// <summary>The addresses to ask <c>eth_getLogs</c> for.</summary>
    public string[] Addresses => [.. _contractByAddress.Keys];

    /// <summary>The log's contract, event name and decoded event; null for a log of another address or an event its contract does not declare.</summary>
    public (string Contract, string Name, IEventDTO Event)? Decode(FilterLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!_contractByAddress.TryGetValue(log.Address.ToLowerInvariant(), out var contract)
            || log.Topics is not { Length: > 0 }
            || log.Topics[0]?.ToString()?.ToLowerInvariant() is not { } topic
            || !Declared.Contains((contract, topic))
            || !ByTopic.TryGetValue(topic, out var type))
        {
            return null;
        }

        return (contract, type.Name, type.Decode(log));
    }

    /// <summary>
    /// The event's arguments by ABI name, as <c>chain_events.args</c> stores them: integers as
    /// decimal strings, addresses and bytes as lower-case 0x hex, bools, arrays.
    /// </summary>
    public static JsonObject Arguments(IEventDTO decoded)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        var args = new JsonObject();
        foreach (var property in decoded.GetType().GetProperties())
        {
            if (property.GetCustomAttribute<ParameterAttribute>() is { } parameter)
            {
                args[parameter.Name] = ToJson(property.GetValue(decoded));
            }
        }

        return args;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create("0x" + Convert.ToHexStringLower(bytes)),
        string s => JsonValue.Create(s.ToLowerInvariant()),
        BigInteger n => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        byte or sbyte or short or ushort or int or uint or long or ulong => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static Dictionary<string, (string Name, Func<FilterLog, IEventDTO> Decode)> BuildTypes()
    {
        var describe = typeof(ChainEventDecoder).GetMethod(nameof(Describe), BindingFlags.NonPublic | BindingFlags.Static)!;
        var types = new Dictionary<string, (string, Func<FilterLog, IEventDTO>)>();
        foreach (var type in typeof(JobCreatedEventDTO).Assembly.GetTypes().Where(t => typeof(IEventDTO).IsAssignableFrom(t) && !t.IsAbstract))
        {
            var (topic, name, decode) = ((string, string, Func<FilterLog, IEventDTO>))describe.MakeGenericMethod(type).Invoke(null, null)!;
            types[topic] = (name, decode);
        }

        return types;
    }

    private static (string Topic, string Name, Func<FilterLog, IEventDTO> Decode) Describe<TEvent>()
        where TEvent : class, IEventDTO, new()
    {
        var abi = ABITypedRegistry.GetEvent<TEvent>();
        return ("0x" + abi.Sha3Signature.ToLowerInvariant(), abi.Name, log => log.DecodeEvent<TEvent>().Event);
    }
}
