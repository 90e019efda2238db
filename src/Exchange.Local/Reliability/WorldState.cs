using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Deployment;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Local.Reliability;

/// <summary>
/// What a bad input must not change, read from the outside as anyone could: the logs the four
/// contracts emitted, the token's supply and the balances of the accounts and contracts, the
/// API's blob files (a pack per upload, or a file per blob stored before packs) and half-received
/// uploads, and its live offers.
/// </summary>
internal sealed record WorldState(long ContractLogs, BigInteger TotalSupply, string Balances, int Blobs, int IncomingBlobs, int Offers)
{
    /// <summary>Reads the state now.</summary>
    public static async Task<WorldState> ReadAsync(Web3 web3, ChainDeployment deployment, IReadOnlyList<string> accounts, string apiData, HttpClient api, CancellationToken cancellationToken)
    {
        var contracts = new[] { deployment.ComputeToken, deployment.StakingVault, deployment.JobMarket, deployment.AuditCourt };
        var logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = contracts,
            FromBlock = new BlockParameter(deployment.StartBlock),
            ToBlock = BlockParameter.CreateLatest(),
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
        var token = web3.Eth.ERC20.GetContractService(deployment.ComputeToken);
        var supply = await token.TotalSupplyQueryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var balances = new List<string>();
        foreach (var holder in accounts.Concat(contracts))
        {
            balances.Add((await token.BalanceOfQueryAsync(holder).WaitAsync(cancellationToken).ConfigureAwait(false)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var blobs = Path.Combine(apiData, "blobs");
        var incoming = Path.Combine(blobs, "incoming");
        var stored = Directory.Exists(blobs)
            ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count(f => !f.StartsWith(incoming + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            : 0;
        var halfReceived = Directory.Exists(incoming) ? Directory.EnumerateFiles(incoming).Count() : 0;
        using var offers = await api.GetFromJsonAsync<JsonDocument>("offers/?limit=200", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the API answered no offer list");
        return new WorldState(logs.Length, supply, string.Join(',', balances), stored, halfReceived, offers.RootElement.GetArrayLength());
    }

    /// <summary>What differs from <paramref name="before"/>, in words, or null.</summary>
    public string? ChangesSince(WorldState before)
    {
        var changes = new List<string>();
        if (ContractLogs != before.ContractLogs)
        {
            changes.Add($"{ContractLogs - before.ContractLogs} contract events");
        }

        if (TotalSupply != before.TotalSupply || Balances != before.Balances)
        {
            changes.Add("token balances moved");
        }

        if (Blobs != before.Blobs)
        {
            changes.Add($"{Blobs - before.Blobs} blob files stored");
        }

        if (IncomingBlobs != 0)
        {
            changes.Add($"{IncomingBlobs} half-received uploads left");
        }

        if (Offers != before.Offers)
        {
            changes.Add($"{Offers - before.Offers} offers booked");
        }

        return changes.Count == 0 ? null : string.Join(", ", changes);
    }
}
