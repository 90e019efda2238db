using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Core.Hashing;
using Exchange.Core.Json;
using Exchange.Core.Models;
using Exchange.Core.Privacy;

namespace Exchange.Core.Manifests;

/// <summary>The one place that maps job and output manifests to and from JSON, checks them, and hashes blob lists.</summary>
internal static class ManifestJson
{
    private const string ModelId = "modelId";
    private const string JobId = "jobId";
    private const string Tasks = "tasks";
    private const string Index = "index";
    private const string Inputs = "inputs";
    private const string Outputs = "outputs";
    private const string Name = "name";
    private const string Hash = "hash";
    private const string Privacy = "privacy";
    private const string Scheme = "scheme";
    private const string Salt = "salt";
    private const string Recipient = "recipient";
    private const string SealedSecret = "sealedSecret";
    private const string KeyCommitments = "keyCommitments";

    private static readonly BigInteger Uint256Limit = BigInteger.One << 256;

    private static readonly JsonFields Fields = new((field, problem) => new ManifestException(field, problem, null));

    public static JobManifest ReadJob(ReadOnlySpan<byte> utf8Json)
    {
        using var document = ParseDocument(utf8Json);
        var root = document.RootElement;
        Fields.RequireObject(root, string.Empty, ModelId, Tasks, Privacy);
        var tasks = ReadTasks(root, Inputs, (index, blobs) => new ManifestTask(index, blobs));
        return new JobManifest(
            Fields.Hash(Fields.Required(root, string.Empty, ModelId), ModelId),
            tasks,
            JsonFields.Optional(root, Privacy) is { } privacy ? ReadPrivacy(privacy, tasks.Count) : null);
    }

    private static JobPrivacy ReadPrivacy(JsonElement privacy, int taskCount)
    {
        Fields.RequireObject(privacy, Privacy, Scheme, Salt, Recipient, SealedSecret, KeyCommitments);
        var scheme = Fields.String(Fields.Required(privacy, Privacy, Scheme), JsonFields.Join(Privacy, Scheme));
        if (scheme != PrivacyLabels.Scheme)
        {
            throw Fields.Error(JsonFields.Join(Privacy, Scheme), $"is \"{scheme}\", but this node reads only \"{PrivacyLabels.Scheme}\"");
        }

        var sealedPath = JsonFields.Join(Privacy, SealedSecret);
        byte[] sealedSecret;
        try
        {
            sealedSecret = Hex.Parse(Fields.String(Fields.Required(privacy, Privacy, SealedSecret), sealedPath), JobPrivacy.SealedSecretLength);
        }
        catch (FormatException e)
        {
            throw Fields.Error(sealedPath, e.Message);
        }

        var commitmentsPath = JsonFields.Join(Privacy, KeyCommitments);
        var commitments = Fields.Array(Fields.Required(privacy, Privacy, KeyCommitments), commitmentsPath, (item, path) => Fields.Hash(item, path));
        if (commitments.Length != taskCount)
        {
            throw Fields.Error(commitmentsPath, $"lists {commitments.Length} key commitments for {taskCount} tasks; an encrypted job commits to one key per task");
        }

        return new JobPrivacy(
            Fields.Hash(Fields.Required(privacy, Privacy, Salt), JsonFields.Join(Privacy, Salt)),
            Fields.Hash(Fields.Required(privacy, Privacy, Recipient), JsonFields.Join(Privacy, Recipient)),
            sealedSecret,
            commitments);
    }

    public static OutputManifest ReadOutputs(ReadOnlySpan<byte> utf8Json)
    {
        using var document = ParseDocument(utf8Json);
        var root = document.RootElement;
        Fields.RequireObject(root, string.Empty, JobId, Tasks);
        var jobId = JsonFields.Optional(root, JobId) is { } id ? ReadJobId(id) : (BigInteger?)null;
        return new OutputManifest(jobId, ReadTasks(root, Outputs, (index, blobs) => new OutputTask(index, blobs)));
    }

    public static byte[] Write(JobManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var json = new JsonObject
        {
            [ModelId] = manifest.ModelId.ToString(),
            [Tasks] = new JsonArray([.. manifest.Tasks.Select(t => t is null ? null : TaskJson(t.Index, Inputs, t.Inputs))]),
        };
        if (manifest.Privacy is { } privacy)
        {
            json[Privacy] = new JsonObject
            {
                [Scheme] = PrivacyLabels.Scheme,
                [Salt] = privacy.Salt.ToString(),
                [Recipient] = privacy.Recipient.ToString(),
                [SealedSecret] = Hex.Format(privacy.SealedSecret.Items.AsSpan()),
                [KeyCommitments] = new JsonArray([.. privacy.KeyCommitments.Select(c => (JsonNode)c.ToString())]),
            };
        }

        return CanonicalJson.Serialize(json);
    }

    public static byte[] Write(OutputManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var json = new JsonObject
        {
            [Tasks] = new JsonArray([.. manifest.Tasks.Select(t => t is null ? null : TaskJson(t.Index, Outputs, t.Outputs))]),
        };
        if (manifest.JobId is { } jobId)
        {
            json[JobId] = jobId.ToString(CultureInfo.InvariantCulture);
        }

        return CanonicalJson.Serialize(json);
    }

    public static Bytes32 BlobListHash(EquatableArray<BlobRef> blobs) => blobs.Count switch
    {
        0 => throw new InvalidOperationException("a task has no blobs to hash"),
        1 => blobs[0].Hash,
        _ => Keccak.Hash(CanonicalJson.Serialize(BlobsJson(blobs))),
    };

    public static void EnsureNames(EquatableArray<BlobRef> blobs, EquatableArray<TensorSpec> specs, string path)
    {
        var names = blobs.Select(b => b.Name);
        var expected = specs.Select(s => s.Name);
        if (!names.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new ManifestException(path, $"names ({string.Join(", ", names)}) but the model card's are ({string.Join(", ", expected)}), in that order", null);
        }
    }

    private static JsonDocument ParseDocument(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return CanonicalJson.Parse(utf8Json);
        }
        catch (FormatException e)
        {
            throw new ManifestException(string.Empty, e.Message, e);
        }
    }

    private static EquatableArray<T> ReadTasks<T>(JsonElement root, string blobKey, Func<int, EquatableArray<BlobRef>, T> create) =>
        Fields.Array(Fields.Required(root, string.Empty, Tasks), Tasks, (task, path, position) =>
        {
            Fields.RequireObject(task, path, Index, blobKey);
            var indexPath = JsonFields.Join(path, Index);
            var index = Fields.Integer(Fields.Required(task, path, Index), indexPath);
            if (index != position)
            {
                throw Fields.Error(indexPath, $"is {index}, but tasks must be listed in order from 0: this is task {position}");
            }

            return create(position, ReadBlobs(Fields.Required(task, path, blobKey), JsonFields.Join(path, blobKey)));
        });

    private static EquatableArray<BlobRef> ReadBlobs(JsonElement list, string path)
    {
        var blobs = Fields.Array(list, path, (blob, blobPath) =>
        {
            Fields.RequireObject(blob, blobPath, Name, Hash);
            return new BlobRef(
                Fields.String(Fields.Required(blob, blobPath, Name), JsonFields.Join(blobPath, Name)),
                Fields.Hash(Fields.Required(blob, blobPath, Hash), JsonFields.Join(blobPath, Hash)));
        });
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < blobs.Length; i++)
        {
            if (!names.Add(blobs[i].Name))
            {
                throw Fields.Error($"{path}[{i}].{Name}", $"repeats the name \"{blobs[i].Name}\"");
            }
        }

        return blobs;
    }

    private static BigInteger ReadJobId(JsonElement element)
    {
        var text = Fields.String(element, JobId);
        var isCanonicalDecimal = text.All(char.IsAsciiDigit) && (text == "0" || text[0] != '0');
        var id = isCanonicalDecimal ? BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : BigInteger.MinusOne;
        return id >= 0 && id < Uint256Limit
            ? id
            : throw Fields.Error(JobId, $"must be a uint256 in decimal without leading zeros, found \"{text}\"");
    }

    private static JsonObject TaskJson(int index, string blobKey, EquatableArray<BlobRef> blobs) => new()
    {
        [Index] = index,
        [blobKey] = BlobsJson(blobs),
    };

    private static JsonArray BlobsJson(EquatableArray<BlobRef> blobs) =>
        new([.. blobs.Select(b => b is null ? null : (JsonNode)new JsonObject { [Name] = b.Name, [Hash] = b.Hash.ToString() })]);
}
