using Exchange.TestSupport;

namespace Exchange.Chain.Tests;

/// <summary>Every test that needs the chain shares one Hardhat node (started once per test run).</summary>
[CollectionDefinition(ChainFixture.Collection)]
public sealed class ChainCollectionDefinition : ICollectionFixture<ChainFixture>;
