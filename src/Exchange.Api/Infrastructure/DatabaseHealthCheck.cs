using Dapper;
using Exchange.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Api.Infrastructure;

/// <summary>Healthy when the database answers a query.</summary>
internal sealed class DatabaseHealthCheck(SqliteConnectionFactory connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}
