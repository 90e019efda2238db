using System.Globalization;
using System.Numerics;

namespace Exchange.Chain.Transactions;

/// <summary>A contract revert decoded against the ABIs: the custom error's name and its arguments.</summary>
/// <param name="Name">The error's name (<c>JobMarketInsufficientBalance</c>), <c>Error</c> for <c>require</c> messages, <c>Panic</c>, or <c>unknown</c>.</param>
/// <param name="Arguments">The error's arguments in declaration order.</param>
/// <param name="Data">The raw revert data, 0x hex.</param>
public sealed record DecodedRevert(string Name, IReadOnlyList<RevertArgument> Arguments, string Data)
{
    /// <summary>The error as Solidity would write it: <c>Name(arg=value, …)</c>.</summary>
    public override string ToString() =>
        Name == UnknownName
            ? (Data is "" or "0x" ? "reverted without a reason" : $"unknown error {Data[..Math.Min(Data.Length, 10)]} (not in the contracts' ABI)")
            : $"{Name}({string.Join(", ", Arguments.Select(a => $"{a.Name}={a.Format()}"))})";

    /// <summary>The <see cref="Name"/> given to revert data that matches no known error.</summary>
    public const string UnknownName = "unknown";

    /// <summary>The value of the argument called <paramref name="name"/>.</summary>
    public object? this[string name] => Arguments.First(a => a.Name == name).Value;
}

/// <summary>One argument of a decoded error.</summary>
/// <param name="Name">The parameter's name in the ABI.</param>
/// <param name="Type">Its Solidity type (<c>uint256</c>, <c>address</c>, …).</param>
/// <param name="Value">The decoded value: <see cref="BigInteger"/> for integers (and enums), string for addresses and strings, byte[] for bytes.</param>
public sealed record RevertArgument(string Name, string Type, object? Value)
{
    /// <summary>The value as text: decimal integers, 0x hex bytes.</summary>
    public string Format() => Value switch
    {
        byte[] bytes => "0x" + Convert.ToHexStringLower(bytes),
        BigInteger number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        null => "null",
        _ => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "",
    };
}
