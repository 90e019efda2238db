using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Cli.Infrastructure;
using Nethereum.Signer;
using Nethereum.Util;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange wallet</c>: create and import keystores, show an account's address and balances.</summary>
internal static class WalletCommands
{
    public static Command Build()
    {
        var wallet = new Command("wallet", "Accounts: create or import a keystore, show an address or its balances");
        wallet.Subcommands.Add(BuildNew());
        wallet.Subcommands.Add(BuildImport());
        wallet.Subcommands.Add(BuildAddress());
        wallet.Subcommands.Add(BuildBalance());
        return wallet;
    }

    private static Option<FileInfo> OutOption() => new("--out")
    {
        Description = "Keystore file to write (never overwritten)",
        HelpName = "FILE",
        Required = true,
    };

    private static Option<int> ScryptOption() => new("--scrypt-n")
    {
        Description = $"scrypt cost N, a power of two (default {Keystore.StandardScryptN}, what geth uses)",
        HelpName = "N",
        DefaultValueFactory = _ => Keystore.StandardScryptN,
    };

    private static Command BuildNew()
    {
        var output = OutOption();
        var scrypt = ScryptOption();
        var json = CommonOptions.Json();
        var command = new Command("new", $"Create a random account and save it as an encrypted keystore (password from ${PasswordReader.Variable} or a prompt)")
        {
            output, scrypt, json,
        };
        command.SetAction(parsed =>
            Save(EthECKey.GenerateKey(), parsed.GetValue(output)!, parsed.GetValue(scrypt), parsed.GetValue(json)));
        return command;
    }

    private static Command BuildImport()
    {
        var output = OutOption();
        var scrypt = ScryptOption();
        var json = CommonOptions.Json();
        var keyFile = new Option<FileInfo>("--private-key-file")
        {
            Description = "File holding the private key as 64 hex digits (so the key never appears in the process list)",
            HelpName = "FILE",
            Required = true,
        };
        var command = new Command("import", "Encrypt an existing private key into a keystore file") { keyFile, output, scrypt, json };
        command.SetAction(parsed =>
            Save(ReadPrivateKey(parsed.GetValue(keyFile)!), parsed.GetValue(output)!, parsed.GetValue(scrypt), parsed.GetValue(json)));
        return command;
    }

    private static Command BuildAddress()
    {
        var account = new AccountOptions();
        var json = CommonOptions.Json();
        var command = new Command("address", "Print the address of a keystore (no password needed) or of a dev account") { json };
        account.AddTo(command);
        command.SetAction(parsed =>
        {
            var address = account.ResolveAddress(parsed);
            if (parsed.GetValue(json))
            {
                Output.Json(new { address });
            }
            else
            {
                Output.Line(address);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildBalance()
    {
        var account = new AccountOptions();
        var rpc = CommonOptions.Rpc();
        var json = CommonOptions.Json();
        var addressOption = new Option<string?>("--address") { Description = "Any address to look up instead of --key/--dev-account", HelpName = "0x…" };
        var deploymentFile = CommonOptions.Deployment();
        var command = new Command("balance", "Print an account's native balance (wei), and its ComputeToken and JobMarket balances when the chain has a deployment file")
        {
            rpc, addressOption, deploymentFile, json,
        };
        account.AddTo(command, required: false);
        command.Validators.Add(result =>
        {
            var hasAddress = result.GetResult(addressOption) is not null;
            var hasAccount = result.GetResult(account.Key) is not null || result.GetResult(account.DevAccount) is not null;
            if (hasAddress == hasAccount)
            {
                result.AddError("give exactly one of --address, --key or --dev-account");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var address = parsed.GetValue(addressOption) is { } given ? ParseAddress(given) : account.ResolveAddress(parsed);
            var web3 = ChainConnect.Web3(parsed.GetValue(rpc)!);
            var chainId = await ChainConnect.ChainIdAsync(web3, parsed.GetValue(rpc)!, cancellationToken).ConfigureAwait(false);
            var wei = (await web3.Eth.GetBalance.SendRequestAsync(address).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
            var file = parsed.GetValue(deploymentFile)?.FullName;
            BigInteger? token = null, market = null;
            if (File.Exists(DeploymentFile.PathFor(file, chainId)))
            {
                var deployment = DeploymentFile.Read(file, chainId);
                token = await TokenCommands.BalanceOfAsync(web3, deployment.ComputeToken, address, cancellationToken).ConfigureAwait(false);
                market = await TokenCommands.BalanceOfAsync(web3, deployment.JobMarket, address, cancellationToken).ConfigureAwait(false);
            }

            if (parsed.GetValue(json))
            {
                Output.Json(new { address, wei = Text(wei), token = token is { } t ? Text(t) : null, market = market is { } m ? Text(m) : null });
            }
            else
            {
                Output.Line($"{address} {Text(wei)} wei ({UnitConversion.Convert.FromWei(wei).ToString(CultureInfo.InvariantCulture)} ETH)");
                if (token is { } t && market is { } m)
                {
                    Output.Line($"  ComputeToken {Text(t)}, JobMarket balance {Text(m)} (smallest units)");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Save(EthECKey key, FileInfo file, int scryptN, bool json)
    {
        var password = PasswordReader.Read($"password for {file.Name}: ", confirm: true);
        Keystore.Write(file.FullName, key, password, scryptN);
        if (json)
        {
            Output.Json(new { address = key.GetPublicAddress(), keystore = file.FullName });
        }
        else
        {
            Output.Line($"{key.GetPublicAddress()} saved to {file.FullName}");
        }

        return ExitCodes.Ok;
    }

    private static EthECKey ReadPrivateKey(FileInfo file)
    {
        var text = File.ReadAllText(file.FullName).Trim();
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new CliException($"{file.Name} must hold a private key of 64 hex digits");
        }

        return new EthECKey(hex);
    }

    internal static string ParseAddress(string text)
    {
        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(text))
        {
            throw new CliException($"'{text}' is not an address (0x and 40 hex digits)", ExitCodes.Usage);
        }

        return AddressUtil.Current.ConvertToChecksumAddress(text);
    }
}
