using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Api.Client;

namespace Exchange.Node.Client;

/// <summary>A job as an exchange API's index lists it (<c>GET /jobs</c>, docs/api.md).</summary>
/// <param name="Id">The job id.</param>
/// <param name="Status">Its status name.</param>
/// <param name="Audit">Its audit as the index reads it: <c>none</c>, <c>not-drawn</c>, <c>pending</c>, <c>passed</c>, <c>failed</c>…</param>
/// <param name="Provider">The provider's address.</param>
/// <param name="TaskCount">Tasks in the job.</param>
/// <param name="UnitPrice">Price per task in the token's smallest unit, as a decimal string.</param>
/// <param name="UpdatedAt">UNIX time of its latest event.</param>
public sealed record IndexedJob(long Id, string Status, string Audit, string Provider, long TaskCount, string UnitPrice, long UpdatedAt)
{
    /// <summary>The unit price in smallest units.</summary>
    public BigInteger UnitPriceUnits => BigInteger.Parse(UnitPrice, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>The jobs of one client, from the first exchange API that answers (its chain index), newest first.</summary>
public static class JobBook
{
    private const int PageSize = 500;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every job <paramref name="client"/> created, as the API indexed it, newest first.</summary>
    public static async Task<IReadOnlyList<IndexedJob>> OfClientAsync(ExchangeApiClient api, string client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var jobs = new List<IndexedJob>();
        for (var page = 1; ; page++)
        {
            var answer = await api.GetJsonAsync<Page>($"jobs?client={client}&page={page}&pageSize={PageSize}", Json, cancellationToken).ConfigureAwait(false);
            jobs.AddRange(answer.Items);
            if (answer.Items.Count < PageSize || jobs.Count >= answer.Total)
            {
                return jobs;
            }
        }
    }

    private sealed record Page(IReadOnlyList<IndexedJob> Items, long Total);
}
