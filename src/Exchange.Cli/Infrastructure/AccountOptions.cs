using System.CommandLine;
using Exchange.Chain.Wallets;
using Nethereum.Signer;

namespace Exchange.Cli.Infrastructure;

/// <summary>
/// <c>--key FILE | --dev-account N</c>: the account a command signs with. Add it to a command with
/// <see cref="AddTo"/>, read it in the action with <see cref="Resolve"/>.
/// </summary>
internal sealed class AccountOptions
{
    /// <summary>The options <c>--key</c> and <c>--dev-account</c>, or with a role's prefix (<c>client-</c>: <c>--client-key</c>, <c>--client-dev-account</c>) for a command that signs as two accounts.</summary>
    public AccountOptions(string prefix = "", string role = "")
    {
        Key = new($"--{prefix}key")
        {
            Description = $"Keystore file (Web3 Secret Storage) to sign with{role}; its password comes from ${PasswordReader.Variable} or a prompt",
            HelpName = "FILE",
        };
        DevAccount = new($"--{prefix}dev-account")
        {
            Description = $"Sign{role} with Hardhat dev account N (0-{DevAccounts.FundedCount - 1}); local chains only",
            HelpName = "N",
        };
    }

    public Option<FileInfo?> Key { get; }

    public Option<int?> DevAccount { get; }

    /// <summary>Adds both options and the rule that exactly one of them is given.</summary>
    public void AddTo(Command command, bool required = true)
    {
        command.Options.Add(Key);
        command.Options.Add(DevAccount);
        command.Validators.Add(result =>
        {
            var key = result.GetResult(Key) is not null;
            var dev = result.GetResult(DevAccount) is not null;
            if (key && dev)
            {
                result.AddError($"give either {Key.Name} or {DevAccount.Name}, not both");
            }
            else if (required && !key && !dev)
            {
                result.AddError($"give the signing account: {Key.Name} FILE or {DevAccount.Name} N");
            }
            else if (dev && result.GetValue(DevAccount) is { } n && (n < 0 || n >= DevAccounts.FundedCount))
            {
                result.AddError($"{DevAccount.Name} must be 0-{DevAccounts.FundedCount - 1} (the accounts Hardhat funds), not {n}");
            }
        });
    }

    /// <summary>True when either option was given.</summary>
    public bool IsGiven(ParseResult parsed) => parsed.GetResult(Key) is not null || parsed.GetResult(DevAccount) is not null;

    /// <summary>The key the user chose; unlocks a keystore with the password from the environment or a prompt.</summary>
    public EthECKey Resolve(ParseResult parsed)
    {
        if (parsed.GetValue(DevAccount) is { } index)
        {
            return DevAccounts.Key(index);
        }

        var file = parsed.GetValue(Key) ?? throw new CliException($"give the signing account: {Key.Name} FILE or {DevAccount.Name} N", ExitCodes.Usage);
        return Keystore.Decrypt(file.FullName, PasswordReader.Read($"password for {file.Name}: ", confirm: false));
    }

    /// <summary>The address the user chose, without unlocking a keystore.</summary>
    public string ResolveAddress(ParseResult parsed) =>
        parsed.GetValue(DevAccount) is { } index
            ? DevAccounts.Address(index)
            : Keystore.ReadAddress((parsed.GetValue(Key) ?? throw new CliException($"give {Key.Name} FILE or {DevAccount.Name} N", ExitCodes.Usage)).FullName);
}
