using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Util;

namespace Exchange.Chain.Deployment;

/// <summary>
/// Reads and writes a deployment file: <c>{"chainId": n, "contracts": {...}, "deployer": …, "startBlock": …}</c>.
/// Where it lives: the file a command names (<c>--deployment FILE</c>), else <c>$EXCHANGE_DEPLOYMENT</c>,
/// else <c>&lt;chainId&gt;.json</c> in <see cref="DefaultFolder"/>, so that every process of a network
/// finds the same file whatever folder it was started in.
/// </summary>
public static class DeploymentFile
{
    /// <summary>Environment variable naming the deployment file when no command-line option does.</summary>
    public const string Variable = "EXCHANGE_DEPLOYMENT";

    private static readonly string[] ContractNames = ["ComputeToken", "StakingVault", "JobMarket", "AuditCourt"];

    /// <summary>
    /// Folder of the default files <c>&lt;chainId&gt;.json</c>: <c>exchange/deployments</c> under the
    /// user's data folder (<c>$XDG_DATA_HOME</c>, else <c>~/.local/share</c>; LocalAppData on Windows).
    /// </summary>
    public static string DefaultFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "exchange", "deployments");

    /// <summary>The file for chain <paramref name="chainId"/>: <paramref name="file"/> when given, else $EXCHANGE_DEPLOYMENT, else the default.</summary>
    public static string PathFor(string? file, BigInteger chainId) =>
        Path.GetFullPath(file is { Length: > 0 } ? file
            : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : Path.Combine(DefaultFolder, chainId.ToString(CultureInfo.InvariantCulture) + ".json"));

    /// <summary>Writes (or replaces) the deployment at <see cref="PathFor"/>, creating its folder; returns the path.</summary>
    public static string Write(string? file, ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var path = PathFor(file, deployment.ChainId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = new JsonObject
        {
            ["chainId"] = (ulong)deployment.ChainId,
            ["contracts"] = new JsonObject
            {
                ["ComputeToken"] = deployment.ComputeToken,
                ["StakingVault"] = deployment.StakingVault,
                ["JobMarket"] = deployment.JobMarket,
                ["AuditCourt"] = deployment.AuditCourt,
            },
            ["deployer"] = deployment.Deployer,
            ["startBlock"] = deployment.StartBlock,
        };
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Reads the deployment of chain <paramref name="chainId"/> from <see cref="PathFor"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing, malformed or for another chain.</exception>
    public static ChainDeployment Read(string? file, BigInteger chainId)
    {
        var path = PathFor(file, chainId);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"no deployment for chain {chainId} at {path}: run `exchange deploy` first, or name the file with --deployment or ${Variable}");
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            var fileChain = root["chainId"]?.GetValue<ulong>() ?? throw new InvalidDataException("no chainId");
            if (fileChain != chainId)
            {
                throw new InvalidDataException($"it is for chain {fileChain}, the node is chain {chainId}");
            }

            var contracts = root["contracts"] ?? throw new InvalidDataException("no contracts");
            var addresses = ContractNames.Select(name => Address(contracts[name]?.GetValue<string>(), name)).ToArray();
            return new ChainDeployment(
                chainId, addresses[0], addresses[1], addresses[2], addresses[3],
                Address(root["deployer"]?.GetValue<string>(), "deployer"),
                root["startBlock"]?.GetValue<ulong>() ?? 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"deployment file {path} is not valid: {e.Message}", e);
        }
    }

    private static string Address(string? text, string name) =>
        text is not null && AddressUtil.Current.IsValidEthereumAddressHexFormat(text)
            ? AddressUtil.Current.ConvertToChecksumAddress(text)
            : throw new InvalidDataException($"{name} is not an address");
}
