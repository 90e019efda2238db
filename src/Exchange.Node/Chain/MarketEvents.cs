using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Chain;

/// <summary>Decoding of a transaction receipt's logs into the bindings' event types.</summary>
public static class MarketEvents
{
    /// <summary>Every <typeparamref name="TEvent"/> in a transaction receipt's logs.</summary>
    public static IReadOnlyList<TEvent> Decode<TEvent>(this TransactionReceipt receipt)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return [.. receipt.DecodeAllEvents<TEvent>().Select(e => e.Event)];
    }
}
