using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Core.Hashing;
using Exchange.Core.Json;

namespace Exchange.Core.Privacy;

/// <summary>
/// A provider's reveal of an encrypted job's drawn task keys to one verifier or committee member
/// (docs/privacy.md): each key sealed to the recipient's registered X25519 key under the context
/// of this manifest and task, so it opens for that recipient alone and as that task's key alone.
/// It travels as canonical JSON, signed by the provider's upload signature.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="ManifestHash">The job's manifest hash (part of every box's context).</param>
/// <param name="Recipient">The verifier's or committee member's address (lowercase, 0x-prefixed).</param>
/// <param name="Keys">Task index → the task key sealed to the recipient.</param>
public sealed record KeyReveal(BigInteger JobId, Bytes32 ManifestHash, string Recipient, IReadOnlyDictionary<int, byte[]> Keys)
{
    /// <summary>Largest reveal document a node reads or the API stores.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The canonical JSON bytes.</summary>
    public byte[] ToCanonicalJson() => CanonicalJson.Serialize(new JsonObject
    {
        ["jobId"] = JobId.ToString(CultureInfo.InvariantCulture),
        ["manifestHash"] = ManifestHash.ToString(),
        ["recipient"] = Recipient.ToLowerInvariant(),
        ["keys"] = new JsonArray([.. Keys.OrderBy(k => k.Key).Select(k => (JsonNode)new JsonObject { ["index"] = k.Key, ["box"] = Hex.Format(k.Value) })]),
    });

    /// <summary>Reads a reveal document; null when it is not one.</summary>
    public static KeyReveal? TryParse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxBytes)
        {
            return null;
        }

        try
        {
            using var document = CanonicalJson.Parse(utf8Json);
            var root = document.RootElement;
            var keys = new Dictionary<int, byte[]>();
            foreach (var entry in root.GetProperty("keys").EnumerateArray())
            {
                keys[entry.GetProperty("index").GetInt32()] = Hex.Parse(entry.GetProperty("box").GetString());
            }

            return new KeyReveal(
                BigInteger.Parse(root.GetProperty("jobId").GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
                Bytes32.Parse(root.GetProperty("manifestHash").GetString()),
                root.GetProperty("recipient").GetString()!,
                keys);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
        {
            return null;
        }
    }
}
