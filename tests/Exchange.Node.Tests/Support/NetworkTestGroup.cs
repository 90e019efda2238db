namespace Exchange.Node.Tests.Support;

/// <summary>
/// The tests that run a whole network (a Hardhat node, the API, node processes) run one after
/// another: on CI's two cores, running them side by side only makes each slower and timing-bound.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NetworkTestGroup
{
    public const string Name = "Network";
}
