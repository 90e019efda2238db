using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>The tests that need a chain share one Hardhat node (started once per test run).</summary>
[CollectionDefinition(ChainFixture.Collection)]
public sealed class ChainCollectionDefinition : ICollectionFixture<ChainFixture>;
