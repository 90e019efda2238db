using System.CommandLine;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using Exchange.Chain.Wallets;
using Nethereum.JsonRpc.Client;
using Nethereum.Signer;

namespace Exchange.Cli.Infrastructure;

/// <summary>
/// Runs the command tree with the conventions every command shares: parse errors and failures are
/// one line on stderr (the stack trace follows only with <c>--verbose</c>), exceptions are mapped to
/// exit codes in one place, Ctrl+C cancels.
/// </summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        // Signatures must carry v (27/28) for the contracts' ECDSA.recover.
        EthECKey.SignRecoverable = true;

        root.Options.Add(CommonOptions.Verbose);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"error: {OneLine(parsed.Errors[0].Message)} (see '{CommandPath(parsed.CommandResult)} --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("error: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            await Console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            if (parsed.GetValue(CommonOptions.Verbose))
            {
                await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return code;
        }
    }

    /// <summary>Maps an exception to an exit code and a one-line reason; only unexpected kinds name their type.</summary>
    internal static (int Code, string Message) Describe(Exception e) => e switch
    {
        CliException cli => (cli.ExitCode, OneLine(cli.Message)),
        // Nethereum wraps every failure of the chain's RPC; a bare HTTP failure is the exchange API's.
        RpcClientUnknownException or SocketException or RpcClientTimeoutException =>
            (ExitCodes.Failed, $"cannot reach the chain node: {Chained(e)}"),
        HttpRequestException http => (ExitCodes.Failed, $"cannot reach the exchange API{(http.StatusCode is { } status ? $" (HTTP {(int)status})" : "")}: {Chained(e)}"),
        WalletException or IOException or UnauthorizedAccessException or JsonException or FormatException
            or InvalidDataException or ArgumentException or InvalidOperationException or TimeoutException or RpcResponseException =>
            (ExitCodes.Failed, Chained(e)),
        _ when e.GetType().Namespace?.StartsWith("Exchange", StringComparison.Ordinal) == true => (ExitCodes.Failed, Chained(e)),
        _ => (ExitCodes.Internal, $"unexpected {e.GetType().Name}: {Chained(e)} (--verbose for details)"),
    };

    /// <summary>The message of the innermost exception: the cause itself (connection refused, not "error sending the request").</summary>
    internal static string Innermost(Exception e) => OneLine(e.GetBaseException().Message);

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var current = result; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, current.Parent is null ? "exchange" : current.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static string Chained(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            var text = OneLine(current.Message);
            if (text.Length > 0 && !parts.Any(p => p.Contains(text, StringComparison.Ordinal)))
            {
                parts.Add(text);
            }
        }

        return string.Join(": ", parts);
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
