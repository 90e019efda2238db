using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Node.Offers;

namespace Exchange.Node.Client;

/// <summary>A job the client has prepared (inputs and manifest uploaded) but not created yet.</summary>
/// <param name="Slice">Which of the client's tasks it holds.</param>
/// <param name="Offer">The offer it will be created against.</param>
/// <param name="Manifest">The job manifest (uploaded; its hash is the job's manifestHash).</param>
/// <param name="TasksRoot">Merkle root over the manifest's task leaves.</param>
public sealed record PreparedJob(JobSlice Slice, SignedOffer Offer, JobManifest Manifest, Bytes32 TasksRoot);

/// <summary>A job the client created on chain.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Record">The job record as created.</param>
/// <param name="Prepared">What it was created from.</param>
public sealed record ClientJob(BigInteger JobId, Job Record, PreparedJob Prepared);
