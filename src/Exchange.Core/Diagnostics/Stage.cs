namespace Exchange.Core.Diagnostics;

/// <summary>A stage of the exchange's pipeline whose CPU time <see cref="StageMeter"/> measures.</summary>
public enum Stage
{
    /// <summary>The client turns its sources (images, sentences, files) into input tensors.</summary>
    ClientPreparation,

    /// <summary>Every hash of bytes: blob addresses, manifests, Merkle leaves and nodes, EIP-712 digests.</summary>
    Hashing,

    /// <summary>The client's job preparation: encoding, encrypting and uploading inputs and manifests.</summary>
    Upload,

    /// <summary>The API's handling of a blob upload: checks, signature recovery, store.</summary>
    ApiIngest,

    /// <summary>Fetching a job's manifest and inputs and checking them against the chain (provider and verifier).</summary>
    ProviderFetch,

    /// <summary>The model's batch runs, on the thread that calls ONNX Runtime.</summary>
    Inference,

    /// <summary>The provider's encoding, encrypting and uploading of outputs.</summary>
    OutputUpload,

    /// <summary>ECDSA: signing transactions, uploads and results, and recovering signers.</summary>
    Signing,

    /// <summary>Building, sending and waiting for the receipts of transactions, in every role.</summary>
    ChainTransactions,

    /// <summary>A verifier's audit of a job's drawn tasks, its fetches included.</summary>
    Audits,

    /// <summary>The nodes' rounds and the client's wait, outside the stages above: reading the chain and the API, the work queues.</summary>
    Polling,
}
