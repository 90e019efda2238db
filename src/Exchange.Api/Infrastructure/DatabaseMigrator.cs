using Exchange.Api.Migrations;
using Exchange.Storage;

namespace Exchange.Api.Infrastructure;

/// <summary>Brings the database schema up to date before the API serves requests.</summary>
internal sealed class DatabaseMigrator(SqliteConnectionFactory connections) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => SchemaMigrator.MigrateAsync(connections, ApiMigrations.Database, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
