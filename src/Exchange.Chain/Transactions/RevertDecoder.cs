using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Newtonsoft.Json.Linq;

namespace Exchange.Chain.Transactions;

/// <summary>
/// Turns revert data into the custom error's name and arguments, using the errors declared in the
/// given contract ABIs (plus Solidity's built-in <c>Error(string)</c> and <c>Panic(uint256)</c>).
/// </summary>
public sealed class RevertDecoder
{
    private const string ErrorStringSelector = "0x08c379a0";
    private const string PanicSelector = "0x4e487b71";

    private readonly Dictionary<string, ErrorABI> _errors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds a decoder from contract ABIs as JSON arrays (as in Hardhat's artifacts).</summary>
    public RevertDecoder(IEnumerable<string> abiJsons)
    {
        ArgumentNullException.ThrowIfNull(abiJsons);
        foreach (var abi in abiJsons)
        {
            foreach (var error in ABIDeserialiserFactory.DeserialiseContractABI(abi).Errors ?? [])
            {
                _errors.TryAdd("0x" + error.Sha3Signature, error);
            }
        }

        _errors.TryAdd(ErrorStringSelector, new ErrorABI("Error") { InputParameters = [new Parameter("string", "message", 1)] });
        _errors.TryAdd(PanicSelector, new ErrorABI("Panic") { InputParameters = [new Parameter("uint256", "code", 1)] });
    }

    /// <summary>Decodes revert data (0x hex); data that matches no known error gives <see cref="DecodedRevert.UnknownName"/>.</summary>
    public DecodedRevert Decode(string? data)
    {
        data = string.IsNullOrEmpty(data) ? "0x" : (data.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? data : "0x" + data).ToLowerInvariant();
        if (data.Length < 10 || !_errors.TryGetValue(data[..10], out var error))
        {
            return new DecodedRevert(DecodedRevert.UnknownName, [], data);
        }

        try
        {
            var values = new SmartContractCustomErrorRevertException(data).DecodeErrorToDefault(error);
            var arguments = values.Select(v => new RevertArgument(v.Parameter.Name, v.Parameter.Type, v.Result)).ToList();
            return new DecodedRevert(error.Name, arguments, data);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // Selector known but arguments malformed: still name the error rather than hide it.
            return new DecodedRevert(error.Name, [], data);
        }
    }

    /// <summary>Finds revert data in an exception from a call or gas estimate, whatever shape the node and Nethereum gave it.</summary>
    /// <returns>The data as 0x hex, or null when the exception carries none (then it was not a revert).</returns>
    public static string? ExtractRevertData(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SmartContractCustomErrorRevertException custom:
                    return custom.ExceptionEncodedData;
                case SmartContractCustomErrorRevertExceptionErrorDecoded decoded:
                    return decoded.ExceptionEncodedData;
                case SmartContractRevertException revert:
                    return revert.EncodedData;
                case RpcResponseException rpc when FromData(rpc.RpcError?.Data) is { } data:
                    return data;
            }
        }

        return null;
    }

    private static string? FromData(object? data) => data switch
    {
        string text when text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => text,
        JToken token => FromToken(token),
        _ => null,
    };

    private static string? FromToken(JToken? token) => token switch
    {
        JValue { Type: JTokenType.String } value when ((string)value!).StartsWith("0x", StringComparison.OrdinalIgnoreCase) => (string)value!,
        JObject obj => FromToken(obj["data"]),
        _ => null,
    };
}
