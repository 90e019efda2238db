namespace Exchange.Node.Client;

/// <summary>How a job ended, as the client must be told it.</summary>
public enum JobEnd
{
    /// <summary>Not ended: waiting for acceptance, a result, the challenge window, an audit or a dispute.</summary>
    Pending,

    /// <summary>Settled after a verifier re-ran drawn tasks and passed them (or a committee ruled the provider right).</summary>
    SettledAudited,

    /// <summary>Settled without a verdict: the draw passed it over, or no verifier could be drawn.</summary>
    SettledUnaudited,

    /// <summary>The provider was ruled wrong and slashed: its outputs are not to be trusted.</summary>
    Slashed,

    /// <summary>No result by the deadline (or the provider declined it): the client was refunded.</summary>
    Expired,
}
