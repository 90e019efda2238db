using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Exchange.Local.Reliability;

/// <summary>
/// A TCP relay between some nodes and the chain node, which the campaign can cut: while cut, the
/// connections it holds are closed and new ones are closed as soon as they are accepted, so the
/// nodes behind it see their RPC endpoint fail (reset connections) while the chain goes on for
/// everyone else. <see cref="Restore"/> relays again.
/// </summary>
internal sealed class RpcProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<TcpClient> _open = [];
    private readonly Task _accepting;
    private bool _cut;
    private int _refused;

    private RpcProxy(TcpListener listener, Uri upstream)
    {
        _listener = listener;
        _upstream = upstream;
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The relay's address, for the nodes' <c>EXCHANGE_RPC</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Connections closed at once because the relay was cut.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Relays a free local port to <paramref name="upstream"/>.</summary>
    public static RpcProxy Start(Uri upstream)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new RpcProxy(listener, upstream);
    }

    /// <summary>Closes every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _cut = true;
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Relays again.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            _cut = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Cut();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_cut)
                {
                    Interlocked.Increment(ref _refused);
                    client.Dispose();
                    continue;
                }

                _open.Add(client);
            }

            _ = RelayAsync(client, cancellationToken);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, cancellationToken).ConfigureAwait(false);
            var inbound = client.GetStream();
            var outbound = upstream.GetStream();
            // Either side ending (or the cut closing the client) ends the relay of this connection.
            await Task.WhenAny(inbound.CopyToAsync(outbound, cancellationToken), outbound.CopyToAsync(inbound, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A closed connection, as the cut or either end closes it: nothing to relay any more.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
            }

            client.Dispose();
        }
    }
}
