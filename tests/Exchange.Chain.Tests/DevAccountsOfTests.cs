namespace Exchange.Chain.Tests;

/// <summary>Which dev account each chain test uses, so that tests sharing the node never share a nonce or a balance.</summary>
internal static class DevAccountsOfTests
{
    public const int Deployer = 0;
    public const int BulkSender = 1;
    public const int NonceRecovery = 2;
    public const int Dropped = 3;
    public const int Reverts = 4;
    public const int Timeout = 5;
    public const int IndexerClient = 6;
    public const int IndexerProvider = 7;
    public const int IndexerVerifier1 = 8;
    public const int IndexerVerifier2 = 9;
    public const int IndexerVerifier3 = 10;
    public const int IndexerVerifier4 = 11;
    public const int CrossClient = 12;
    public const int CrossProvider = 13;
    public const int IndexerVerifier5 = 14;
    public const int IndexerVerifier6 = 15;
    public const int CliDeployer = 19;

    /// <summary>The verifiers of the indexer's scenario: enough for committees of five besides the challenger.</summary>
    public static readonly int[] IndexerVerifiers = [IndexerVerifier1, IndexerVerifier2, IndexerVerifier3, IndexerVerifier4, IndexerVerifier5, IndexerVerifier6];
}
