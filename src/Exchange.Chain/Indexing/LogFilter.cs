using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Which logs a <see cref="LogSubscription"/> is told of, as <c>eth_subscribe("logs", …)</c> and
/// <c>eth_getLogs</c> take it: any of <paramref name="Addresses"/>, and per topic position the values
/// any of which matches (null or absent: any value).
/// </summary>
/// <param name="Addresses">The contracts whose logs count; at least one.</param>
/// <param name="Topics">Topic positions from 0 (the event's signature), each a list of alternatives or null.</param>
public sealed record LogFilter(IReadOnlyList<string> Addresses, IReadOnlyList<IReadOnlyList<string>?> Topics)
{
    /// <summary>The signature topic (position 0) of event <typeparamref name="TEvent"/>.</summary>
    public static string EventTopic<TEvent>()
        where TEvent : class, IEventDTO, new() => "0x" + ABITypedRegistry.GetEvent<TEvent>().Sha3Signature.ToLowerInvariant();

    /// <summary>An indexed <c>address</c> argument as a topic: the address left-padded to 32 bytes.</summary>
    public static string AddressTopic(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return "0x" + address.RemoveHexPrefix().ToLowerInvariant().PadLeft(64, '0');
    }

    /// <summary>An indexed <c>uint256</c> argument (a job id) as a topic: big-endian, 32 bytes.</summary>
    public static string NumberTopic(BigInteger value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return "0x" + value.ToByteArray(isUnsigned: true, isBigEndian: true).ToHex().PadLeft(64, '0');
    }
}
