using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Exchange.Chain.Bindings;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Nethereum.Util;

namespace Exchange.Node.Chain;

/// <summary>
/// Rebuilds job records (docs/protocol.md) from the market's events and stores them as JSON in the
/// node's work queues (the binding structs come from <see cref="StructConversions"/>).
/// </summary>
public static class JobRecords
{
    /// <summary>The record as created: the result fields zero.</summary>
    public static Job FromCreated(JobCreatedEventDTO created)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new Job(
            Checksum(created.Client), Checksum(created.Provider), Bytes32.FromBytes(created.ModelId), created.UnitPrice,
            created.TaskCount, created.Deadline, Bytes32.FromBytes(created.TasksRoot), Bytes32.FromBytes(created.ManifestHash),
            Bytes32.Zero, Bytes32.Zero, 0, 0);
    }

    /// <summary>The record after its result was submitted.</summary>
    public static Job WithResult(Job job, ResultSubmittedEventDTO submitted)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(submitted);
        return job with
        {
            ResultRoot = Bytes32.FromBytes(submitted.ResultRoot),
            OutputsHash = Bytes32.FromBytes(submitted.OutputsHash),
            SubmittedAt = submitted.SubmittedAt,
            SubmitBlock = submitted.SubmitBlock,
        };
    }

    /// <summary>
    /// Whether the chain still holds the job this record describes, as created: its stored
    /// commitment is the record's, with the result the record knows or with none (a reorg may drop a
    /// submission and keep the creation). False when the job is gone or another job has its id.
    /// </summary>
    public static bool StillOnChain(Job record, JobStatus status, Bytes32 commitment)
    {
        ArgumentNullException.ThrowIfNull(record);
        var created = record with { ResultRoot = Bytes32.Zero, OutputsHash = Bytes32.Zero, SubmittedAt = 0, SubmitBlock = 0 };
        return status != JobStatus.None && (commitment == record.Commitment() || commitment == created.Commitment());
    }

    /// <summary>The record as one JSON object (uint256 as decimal text, hashes as 0x hex).</summary>
    public static string ToJson(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JsonObject
        {
            ["client"] = job.Client,
            ["provider"] = job.Provider,
            ["modelId"] = job.ModelId.ToString(),
            ["unitPrice"] = job.UnitPrice.ToString(CultureInfo.InvariantCulture),
            ["taskCount"] = job.TaskCount,
            ["deadline"] = job.Deadline,
            ["tasksRoot"] = job.TasksRoot.ToString(),
            ["manifestHash"] = job.ManifestHash.ToString(),
            ["resultRoot"] = job.ResultRoot.ToString(),
            ["outputsHash"] = job.OutputsHash.ToString(),
            ["submittedAt"] = job.SubmittedAt,
            ["submitBlock"] = job.SubmitBlock,
        }.ToJsonString();
    }

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not such a record.</exception>
    public static Job FromJson(string json)
    {
        try
        {
            var o = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("not a JSON object");
            return new Job(
                Text(o, "client"), Text(o, "provider"), Bytes32.Parse(Text(o, "modelId")),
                BigInteger.Parse(Text(o, "unitPrice"), NumberStyles.None, CultureInfo.InvariantCulture),
                o["taskCount"]!.GetValue<uint>(), o["deadline"]!.GetValue<ulong>(),
                Bytes32.Parse(Text(o, "tasksRoot")), Bytes32.Parse(Text(o, "manifestHash")),
                Bytes32.Parse(Text(o, "resultRoot")), Bytes32.Parse(Text(o, "outputsHash")),
                o["submittedAt"]!.GetValue<ulong>(), o["submitBlock"]!.GetValue<ulong>());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new FormatException($"not a stored job record: {e.Message}", e);
        }
    }

    private static string Text(JsonObject o, string name) => o[name]?.GetValue<string>() ?? throw new FormatException($"job record has no {name}");

    private static string Checksum(string address) => AddressUtil.Current.ConvertToChecksumAddress(address);
}
