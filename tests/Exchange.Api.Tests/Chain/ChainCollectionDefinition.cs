using Exchange.TestSupport;

namespace Exchange.Api.Tests.Chain;

/// <summary>
/// The API tests' share of the Hardhat fixture. The chain is shared, so each test owns its dev
/// accounts: 0 deployer; 4-5, 6-7, 8 and 16 indexed-state scenarios; 10-14 chain-backed checks; 15 the blob load test;
/// 17-18 the browser test; 19 never funded.
/// </summary>
[CollectionDefinition(ChainFixture.Collection)]
public sealed class ChainCollectionDefinition : ICollectionFixture<ChainFixture>;
