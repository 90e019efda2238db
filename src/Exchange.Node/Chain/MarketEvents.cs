using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Chain;

/// <summary>Decoding of market logs into the bindings' event types.</summary>
public static class MarketEvents
{
    /// <summary>The log decoded as <typeparamref name="TEvent"/>, or null when it is another event.</summary>
    public static TEvent? As<TEvent>(this FilterLog log)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.IsLogForEvent<TEvent>() ? log.DecodeEvent<TEvent>().Event : null;
    }

    /// <summary>Every <typeparamref name="TEvent"/> in a transaction receipt's logs.</summary>
    public static IReadOnlyList<TEvent> Decode<TEvent>(this TransactionReceipt receipt)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return [.. receipt.DecodeAllEvents<TEvent>().Select(e => e.Event)];
    }
}
