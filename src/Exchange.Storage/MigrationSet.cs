using System.Reflection;

namespace Exchange.Storage;

/// <summary>
/// One feature's migrations: the version numbers it owns and the scripts embedded in its assembly
/// (0001-0099 chain, 0100-0199 API, 0200-0299 node). A database may hold several features' tables;
/// the migrator checks only the versions of the features it is given, so a process leaves alone
/// the tables of features it does not run (a node's file migrated with every feature, as all files
/// were before features carried their own scripts).
/// </summary>
/// <param name="Feature">A short name for messages, e.g. <c>chain</c>.</param>
/// <param name="FirstVersion">The lowest version the feature owns.</param>
/// <param name="LastVersion">The highest version the feature owns.</param>
/// <param name="Migrations">The feature's scripts, in version order, each within the range.</param>
public sealed record MigrationSet(string Feature, int FirstVersion, int LastVersion, IReadOnlyList<Migration> Migrations)
{
    /// <summary>Every version, for a list of scripts that belongs to no feature (tests, tools): any other version in the database is refused.</summary>
    internal static MigrationSet Whole(IReadOnlyList<Migration> migrations) => new("any", 0, 9999, migrations);

    /// <summary>The <c>Migrations/NNNN_name.sql</c> resources of <paramref name="assembly"/> as <paramref name="feature"/>'s set.</summary>
    /// <exception cref="InvalidOperationException">A script's version is outside the feature's range, or a resource is misnamed.</exception>
    public static MigrationSet Embedded(string feature, int firstVersion, int lastVersion, Assembly assembly)
    {
        ArgumentException.ThrowIfNullOrEmpty(feature);
        if (firstVersion < 0 || lastVersion < firstVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(lastVersion), $"versions {firstVersion}-{lastVersion} are not a range");
        }

        var migrations = SchemaMigrator.Load(assembly);
        var outside = migrations.FirstOrDefault(m => m.Version < firstVersion || m.Version > lastVersion);
        if (outside is not null)
        {
            throw new InvalidOperationException(
                $"migration {outside.Name} of {feature} is outside its versions {firstVersion:D4}-{lastVersion:D4}");
        }

        return new MigrationSet(feature, firstVersion, lastVersion, migrations);
    }

    /// <summary>Whether <paramref name="version"/> is this feature's.</summary>
    public bool Owns(int version) => version >= FirstVersion && version <= LastVersion;
}
