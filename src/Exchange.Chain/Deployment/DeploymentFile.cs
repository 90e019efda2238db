using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Util;

namespace Exchange.Chain.Deployment;

/// <summary>Reads and writes <c>deployments/&lt;chainId&gt;.json</c>: <c>{"chainId": n, "contracts": {...}, "deployer": …, "startBlock": …}</c>.</summary>
public static class DeploymentFile
{
    private static readonly string[] ContractNames = ["ComputeToken", "StakingVault", "JobMarket", "AuditCourt"];

    /// <summary>The file's path for a chain.</summary>
    public static string PathFor(string folder, BigInteger chainId) =>
        Path.Combine(folder, chainId.ToString(CultureInfo.InvariantCulture) + ".json");

    /// <summary>Writes (or replaces) the chain's deployment file, creating the folder.</summary>
    public static string Write(string folder, ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Directory.CreateDirectory(folder);
        var path = PathFor(folder, deployment.ChainId);
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

    /// <summary>Reads the deployment of chain <paramref name="chainId"/> from <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing, malformed or for another chain.</exception>
    public static ChainDeployment Read(string folder, BigInteger chainId)
    {
        var path = PathFor(folder, chainId);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"no deployment for chain {chainId} at {path}: run `exchange deploy` first");
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            var fileChain = root["chainId"]?.GetValue<ulong>() ?? throw new InvalidDataException("no chainId");
            if (fileChain != chainId)
            {
                throw new InvalidDataException($"it is for chain {fileChain}");
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
