using Exchange.TestSupport;

namespace Exchange.Api.Tests.Chain;

[CollectionDefinition(ChainFixture.Collection)]
public sealed class ChainCollectionDefinition : ICollectionFixture<ChainFixture>;
