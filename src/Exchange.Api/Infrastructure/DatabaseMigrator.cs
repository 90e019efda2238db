using Dapper;

namespace Exchange.Api.Infrastructure;

/// <summary>Brings the database schema up to date before the API serves requests.</summary>
internal sealed class DatabaseMigrator(ApiDatabase database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var assembly = typeof(DatabaseMigrator).Assembly;
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS api_schema (name TEXT PRIMARY KEY)", cancellationToken: cancellationToken));
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM api_schema WHERE name = @name", new { name }, cancellationToken: cancellationToken)) > 0)
            {
                continue;
            }
            await using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var sql = await reader.ReadToEndAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO api_schema (name) VALUES (@name)", new { name }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
