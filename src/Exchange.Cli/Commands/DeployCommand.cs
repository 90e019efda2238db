using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exchange.Chain.Deployment;
using Exchange.Cli.Infrastructure;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange deploy</c>: deploys ComputeToken, StakingVault, JobMarket and AuditCourt and writes the deployment file.</summary>
internal static class DeployCommand
{
    private static readonly JsonSerializerOptions OptionsJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new BigIntegerJsonConverter() },
    };

    public static Command Build()
    {
        var rpc = CommonOptions.Rpc();
        var json = CommonOptions.Json();
        var deploymentFile = CommonOptions.Deployment();
        var account = new AccountOptions();
        var parameters = new Option<FileInfo?>("--params")
        {
            Description = "JSON file overriding deployment options (initialSupply, minProviderStake, minVerifierStake, unbondingDelay, epochLength, treasury, market: {auditRateBps, ...}, court: {auditWindow, ...}); see docs/chain.md",
            HelpName = "FILE",
        };
        var epochLength = new Option<ulong?>("--epoch-length")
        {
            Description = "Seconds per epoch of the vault's stake snapshots (default 3600; overrides the --params file's epochLength)",
            HelpName = "SECONDS",
        };
        var command = new Command("deploy", "Deploy the four contracts (the signing account owns them), bind them and write the deployment file (--deployment)")
        {
            rpc, parameters, epochLength, deploymentFile, json,
        };
        account.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = parsed.GetValue(parameters) is { } file ? ReadOptions(file) : new DeploymentOptions();
            if (parsed.GetValue(epochLength) is { } seconds)
            {
                options = options with { EpochLength = seconds > 0 ? seconds : throw new CliException("--epoch-length must be at least 1 second", ExitCodes.Usage) };
            }

            using var sender = await ChainConnect.SenderAsync(parsed, parsed.GetValue(rpc)!, account, cancellationToken).ConfigureAwait(false);
            var deployment = await ContractDeployer.DeployAsync(sender, options, cancellationToken).ConfigureAwait(false);
            var path = DeploymentFile.Write(parsed.GetValue(deploymentFile)?.FullName, deployment);
            if (parsed.GetValue(json))
            {
                Output.Line(FormatJson(deployment));
            }
            else
            {
                Output.Line($"chain {deployment.ChainId}: ComputeToken {deployment.ComputeToken}, StakingVault {deployment.StakingVault}, JobMarket {deployment.JobMarket}, AuditCourt {deployment.AuditCourt}");
                Output.Line($"written to {path}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The documented output: <c>{"chainId": n, "contracts": {"ComputeToken": "0x…", "StakingVault": "0x…", "JobMarket": "0x…", "AuditCourt": "0x…"}}</c>.</summary>
    internal static string FormatJson(ChainDeployment deployment)
    {
        static string Quote(string text) => JsonSerializer.Serialize(text);
        return $"{{\"chainId\": {deployment.ChainId.ToString(CultureInfo.InvariantCulture)}, \"contracts\": {{" +
            $"\"ComputeToken\": {Quote(deployment.ComputeToken)}, \"StakingVault\": {Quote(deployment.StakingVault)}, \"JobMarket\": {Quote(deployment.JobMarket)}, " +
            $"\"AuditCourt\": {Quote(deployment.AuditCourt)}}}}}";
    }

    private static DeploymentOptions ReadOptions(FileInfo file)
    {
        try
        {
            return JsonSerializer.Deserialize<DeploymentOptions>(File.ReadAllText(file.FullName), OptionsJson)
                ?? throw new CliException($"{file.Name} holds null, not deployment options");
        }
        catch (JsonException e)
        {
            throw new CliException($"{file.Name} is not valid deployment options: {e.Message}", e);
        }
    }
}
