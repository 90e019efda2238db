using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;

namespace Exchange.Chain.Bindings;

/// <summary>Converts Exchange.Core's records to and from the generated contract structs.</summary>
public static class StructConversions
{
    /// <summary>The contract's <c>Job</c> tuple for a job record (what every call after createJob passes back).</summary>
    public static JobStruct ToStruct(this Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JobStruct
        {
            Client = job.Client,
            Provider = job.Provider,
            ModelId = job.ModelId.ToArray(),
            UnitPrice = job.UnitPrice,
            TaskCount = job.TaskCount,
            Deadline = job.Deadline,
            TasksRoot = job.TasksRoot.ToArray(),
            ManifestHash = job.ManifestHash.ToArray(),
            ResultRoot = job.ResultRoot.ToArray(),
            OutputsHash = job.OutputsHash.ToArray(),
            SubmittedAt = job.SubmittedAt,
            SubmitBlock = job.SubmitBlock,
        };
    }

    /// <summary>The job record of a contract <c>Job</c> tuple.</summary>
    public static Job ToRecord(this JobStruct job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new Job(job.Client, job.Provider, Bytes32.FromBytes(job.ModelId), job.UnitPrice, job.TaskCount, job.Deadline,
            Bytes32.FromBytes(job.TasksRoot), Bytes32.FromBytes(job.ManifestHash), Bytes32.FromBytes(job.ResultRoot),
            Bytes32.FromBytes(job.OutputsHash), job.SubmittedAt, job.SubmitBlock);
    }

    /// <summary>The contract's <c>Offer</c> tuple for an offer.</summary>
    public static OfferStruct ToStruct(this Offer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return new OfferStruct
        {
            Provider = offer.Provider,
            ModelId = offer.ModelId.ToArray(),
            UnitPrice = offer.UnitPrice,
            MaxTasks = offer.MaxTasks,
            MinTurnaround = offer.MinTurnaround,
            Expiry = offer.Expiry,
            Region = offer.Region.ToArray(),
            Nonce = offer.Nonce,
        };
    }
}
