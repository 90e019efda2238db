using Exchange.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Exchange.Node.Tests.Support;

/// <summary>
/// The API's stored blobs read straight from its data folder, as anyone with its disk reads them:
/// each row of <c>api_blobs</c> and its bytes, in its pack file or (stored before packs) a file of its own.
/// </summary>
internal static class StoredBlobs
{
    /// <summary>Where a stored blob's bytes lie.</summary>
    public sealed record Location(string File, long Offset, int Size);

    /// <summary>Where each stored blob lies, by address.</summary>
    public static IReadOnlyDictionary<string, Location> Locate(string apiFolder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(apiFolder, "exchange.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash, size, pack, coalesce(pack_offset, 0) FROM api_blobs";
        using var reader = command.ExecuteReader();
        var blobs = new Dictionary<string, Location>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var hash = reader.GetString(0);
            var file = reader.IsDBNull(2) ? Path.Combine(apiFolder, "blobs", hash[2..4], hash[2..]) : Path.Combine(apiFolder, "blobs", "packs", reader.GetString(2));
            blobs[hash] = new Location(file, reader.GetInt64(3), reader.GetInt32(1));
        }

        return blobs;
    }

    /// <summary>Every stored blob's bytes, by address.</summary>
    public static Dictionary<Bytes32, byte[]> ReadAll(string apiFolder) =>
        Locate(apiFolder).Values.Select(Read).ToDictionary(b => BlobAddress.Of(b), b => b);

    /// <summary>A stored blob's bytes.</summary>
    public static byte[] Read(Location blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        using var file = File.OpenHandle(blob.File);
        var bytes = new byte[blob.Size];
        RandomAccess.Read(file, bytes, blob.Offset);
        return bytes;
    }
}
