using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Exchange.Storage;

/// <summary>
/// Brings a database up to the newest schema of the features a process runs: every migration of
/// the given <see cref="MigrationSet"/>s not yet recorded in <c>schema_version</c> runs in its own
/// transaction, in number order across the features. Safe to call from several processes at once
/// (each script runs under an immediate write lock and is re-checked).
/// </summary>
public static partial class SchemaMigrator
{
    private const string ResourcePrefix = "Migrations/";

    /// <summary>Applies the migrations of <paramref name="features"/> that the database lacks.</summary>
    /// <returns>The versions applied by this call (empty when the schema was current).</returns>
    /// <exception cref="InvalidOperationException">
    /// Two features claim one version, an applied script of these features changed since, or the database has a
    /// version in these features' ranges that this program does not know (it was made by a newer build).
    /// </exception>
    public static Task<IReadOnlyList<int>> MigrateAsync(
        SqliteConnectionFactory connections, IReadOnlyList<MigrationSet> features, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        var overlap = features.SelectMany((a, i) => features.Skip(i + 1).Where(b => a.FirstVersion <= b.LastVersion && b.FirstVersion <= a.LastVersion).Select(b => (a, b)))
            .FirstOrDefault();
        if (overlap.a is not null)
        {
            throw new InvalidOperationException(
                $"features {overlap.a.Feature} ({overlap.a.FirstVersion:D4}-{overlap.a.LastVersion:D4}) and {overlap.b.Feature} ({overlap.b.FirstVersion:D4}-{overlap.b.LastVersion:D4}) share versions");
        }

        return MigrateAsync(connections, features, [.. features.SelectMany(f => f.Migrations)], cancellationToken);
    }

    /// <summary>Applies the given migrations the database lacks, in version order; any other version in the database is refused.</summary>
    /// <exception cref="InvalidOperationException">An applied script changed since, versions repeat, or the database has versions this program does not know.</exception>
    public static Task<IReadOnlyList<int>> MigrateAsync(
        SqliteConnectionFactory connections, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return MigrateAsync(connections, [MigrationSet.Whole(migrations)], migrations, cancellationToken);
    }

    private static async Task<IReadOnlyList<int>> MigrateAsync(
        SqliteConnectionFactory connections, IReadOnlyList<MigrationSet> features, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connections);
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        var repeated = ordered.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidOperationException(
                $"migration version {repeated.Key:D4} is used by {string.Join(" and ", repeated.Select(m => m.Name))}");
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
            cancellationToken: cancellationToken)).ConfigureAwait(false);

        var applied = await AppliedAsync(connection, null, cancellationToken).ConfigureAwait(false);
        CheckKnown(applied, ordered, features);

        var done = new List<int>();
        foreach (var migration in ordered.Where(m => !applied.ContainsKey(m.Version)))
        {
            if (await ApplyAsync(connection, migration, cancellationToken).ConfigureAwait(false))
            {
                done.Add(migration.Version);
            }
        }

        return done;
    }

    /// <summary>Reads migrations from the <c>Migrations/NNNN_name.sql</c> resources of <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(name);
            if (!match.Success)
            {
                throw new InvalidOperationException($"migration file '{name}' is not named NNNN_lower_case_words.sql");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"migration resource '{resource}' cannot be read");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            list.Add(Create(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }

        return list.OrderBy(m => m.Version).ToList();
    }

    /// <summary>Builds a migration from its text, computing its checksum.</summary>
    public static Migration Create(int version, string name, string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
        return new Migration(version, name, normalised, checksum);
    }

    private static void CheckKnown(Dictionary<int, string> applied, List<Migration> known, IReadOnlyList<MigrationSet> features)
    {
        var byVersion = known.ToDictionary(m => m.Version);
        // Versions of features not given are another process's tables in the same file: left alone.
        foreach (var (version, checksum) in applied.Where(a => features.Any(f => f.Owns(a.Key))))
        {
            if (!byVersion.TryGetValue(version, out var migration))
            {
                throw new InvalidOperationException(
                    $"the database has schema version {version:D4}, which this program does not know; use a newer build");
            }

            if (migration.Checksum != checksum)
            {
                throw new InvalidOperationException(
                    $"migration {migration.Name} changed after it was applied to this database; add a new migration instead of editing it");
            }
        }
    }

    private static async Task<bool> ApplyAsync(SqliteConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        // Immediate: take the write lock first, then re-check, so two processes never apply one script twice.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var applied = await AppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (applied.ContainsKey(migration.Version))
        {
            return false;
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"migration {migration.Name} failed: {e.Message}", e);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @AppliedAt)",
            new { migration.Version, migration.Name, migration.Checksum, AppliedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task<Dictionary<int, string>> AppliedAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Version, string Checksum)>(new CommandDefinition(
            "SELECT version, checksum FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => (int)r.Version, r => r.Checksum);
    }

    [GeneratedRegex(@"^(\d{4})_[a-z0-9_]+\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
