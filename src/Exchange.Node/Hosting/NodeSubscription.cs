using Exchange.Chain.Indexing;

namespace Exchange.Node.Hosting;

/// <summary>
/// The logs that wake a node's loop (<see cref="NodeLoop"/>) before its poll interval ends, and the
/// chain node's WebSocket endpoint to subscribe at (<see cref="NodeOptions.WsUrl"/>).
/// </summary>
/// <param name="Url">The WebSocket JSON-RPC endpoint.</param>
/// <param name="Filters">A subscription each (<see cref="LogSubscription"/>).</param>
public sealed record NodeSubscription(Uri Url, IReadOnlyList<LogFilter> Filters)
{
    /// <summary>The subscription to <paramref name="filters"/> at <paramref name="node"/>'s WebSocket endpoint, or null when it has none (it polls only).</summary>
    public static NodeSubscription? For(NodeOptions node, IReadOnlyList<LogFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.WsUrl is { } url ? new NodeSubscription(url, filters) : null;
    }
}
