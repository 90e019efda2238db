using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Tells a reader of the chain at once when a log it waits for is in a new block:
/// <c>eth_subscribe("logs", filter)</c> per filter over one connection to the chain node's WebSocket
/// JSON-RPC endpoint, and a call of <c>onLog</c> per notification. It only wakes: what the logs say is read, as before, by the
/// reader's own <c>eth_getLogs</c> and <c>eth_call</c>s (<see cref="ChainLogPoller"/>), so a
/// notification lost, doubled or from a reorganised block changes nothing but when that read runs.
/// Polling stays the fallback: a node that refuses the subscription or drops the connection is
/// tried again with back-off (1 s doubling to 30 s), the loss and the return logged once each, and
/// <c>onLog</c> is called on every (re)connection, since logs may have come while it was away.
/// </summary>
/// <remarks>
/// Nethereum's streaming WebSocket client is not among the packages this build may use; the JSON-RPC
/// exchange needed here (one request, then notifications) is a few lines over <see cref="ClientWebSocket"/>.
/// </remarks>
public static partial class LogSubscription
{
    /// <summary>The largest message read; our contracts' logs are a few hundred bytes, a node's errors a few more.</summary>
    public const int MaxMessageBytes = 1 << 20;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, calling <paramref name="onLog"/>
    /// for each log that matches one of <paramref name="filters"/> and once per connection.
    /// </summary>
    /// <param name="url">The node's WebSocket endpoint (<c>ws://</c> or <c>wss://</c>).</param>
    /// <param name="filters">The logs to be told of: a subscription each.</param>
    /// <param name="onLog">Called on a notification; must be quick and must not throw (a wake, not work).</param>
    /// <param name="logger">Where the subscription's loss and return are logged.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not a WebSocket URL, there is no filter, or a filter names no contract.</exception>
    public static Task RunAsync(Uri url, IReadOnlyList<LogFilter> filters, Action onLog, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(onLog);
        ArgumentNullException.ThrowIfNull(logger);
        if (url.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException($"a log subscription needs a ws:// or wss:// URL, not '{url}'", nameof(url));
        }

        if (filters.Count == 0 || filters.Any(f => f.Addresses.Count == 0))
        {
            throw new ArgumentException("a log subscription needs at least one filter, and each filter at least one contract address", nameof(filters));
        }

        // Checked here, not in the loop: a caller that starts the subscription beside its own work
        // learns of a bad argument at once, not when it awaits the subscription at its end.
        return RunCheckedAsync(url, [.. filters.Select((filter, i) => SubscribeRequest(filter, i + 1))], onLog, logger, cancellationToken);
    }

    private static async Task RunCheckedAsync(Uri url, List<byte[]> requests, Action onLog, ILogger logger, CancellationToken cancellationToken)
    {
        for (var failures = 0; !cancellationToken.IsCancellationRequested;)
        {
            try
            {
                using var socket = new ClientWebSocket();
                socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
                using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    connecting.CancelAfter(ConnectTimeout);
                    await socket.ConnectAsync(url, connecting.Token).ConfigureAwait(false);
                    foreach (var request in requests)
                    {
                        await socket.SendAsync(request, WebSocketMessageType.Text, endOfMessage: true, connecting.Token).ConfigureAwait(false);
                    }

                    await ReadConfirmationsAsync(socket, requests.Count, onLog, connecting.Token).ConfigureAwait(false);
                }

                if (failures > 0)
                {
                    LogRestored(logger, url);
                }

                failures = 0;
                onLog();
                await ReadNotificationsAsync(socket, onLog, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (++failures == 1)
                {
                    LogLost(logger, url, e.Message);
                }

                var wait = Math.Min(LongestRetry.TotalSeconds, FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 10)));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait * (0.5 + (Random.Shared.NextDouble() * 0.5))), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The JSON-RPC request <c>eth_subscribe("logs", {address, topics})</c> with id <paramref name="id"/>.</summary>
    private static byte[] SubscribeRequest(LogFilter filter, int id)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WriteNumber("id", id);
            json.WriteString("method", "eth_subscribe");
            json.WriteStartArray("params");
            json.WriteStringValue("logs");
            json.WriteStartObject();
            json.WriteStartArray("address");
            foreach (var address in filter.Addresses)
            {
                json.WriteStringValue(address.ToLowerInvariant());
            }

            json.WriteEndArray();
            json.WriteStartArray("topics");
            foreach (var alternatives in filter.Topics)
            {
                if (alternatives is null)
                {
                    json.WriteNullValue();
                    continue;
                }

                json.WriteStartArray();
                foreach (var topic in alternatives)
                {
                    json.WriteStringValue(topic.ToLowerInvariant());
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads until the answers to the <paramref name="count"/> requests: each a subscription id, or the node's refusal (thrown).</summary>
    private static async Task ReadConfirmationsAsync(ClientWebSocket socket, int count, Action onLog, CancellationToken cancellationToken)
    {
        for (var answered = 0; answered < count;)
        {
            var (kind, detail) = await ReceiveAsync(socket, cancellationToken).ConfigureAwait(false);
            switch (kind)
            {
                case MessageKind.Notification:
                    // A notification may overtake the answer on some nodes; it is a wake all the same.
                    onLog();
                    break;
                case MessageKind.Subscribed:
                    answered++;
                    break;
                case MessageKind.Refused:
                    throw new InvalidOperationException($"the node refused eth_subscribe: {detail}");
                default:
                    throw new InvalidOperationException($"the node answered eth_subscribe with neither a subscription nor an error: {detail}");
            }
        }
    }

    private static async Task ReadNotificationsAsync(ClientWebSocket socket, Action onLog, CancellationToken cancellationToken)
    {
        while (true)
        {
            if ((await ReceiveAsync(socket, cancellationToken).ConfigureAwait(false)).Kind == MessageKind.Notification)
            {
                onLog();
            }
        }
    }

    /// <summary>What a message from the node is.</summary>
    private static (MessageKind Kind, string Detail) Classify(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (MessageKind.Other, Truncated(root.GetRawText()));
        }

        if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String && method.ValueEquals("eth_subscription"u8))
        {
            return (MessageKind.Notification, "");
        }

        if (root.TryGetProperty("error", out var error))
        {
            return (MessageKind.Refused, error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? Truncated(m.GetString()!) : Truncated(error.GetRawText()));
        }

        return root.TryGetProperty("result", out var id) && id.ValueKind == JsonValueKind.String
            ? (MessageKind.Subscribed, id.GetString()!)
            : (MessageKind.Other, Truncated(root.GetRawText()));
    }

    /// <summary>One whole text message, classified; a close, a binary message, one too large or not JSON is an error (the caller reconnects).</summary>
    private static async Task<(MessageKind Kind, string Detail)> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        throw new InvalidDataException($"the node sent a message over {MaxMessageBytes} bytes");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"the node closed the connection ({received.MessageType}: {socket.CloseStatus} {socket.CloseStatusDescription})");
                }

                if (received.MessageType != WebSocketMessageType.Text)
                {
                    throw new InvalidDataException("the node sent a binary message");
                }

                length += received.Count;
                if (received.EndOfMessage)
                {
                    try
                    {
                        // Classified before the buffer goes back to the pool: a document would keep pointing into it.
                        return Classify(buffer.AsMemory(0, length));
                    }
                    catch (JsonException e)
                    {
                        throw new InvalidDataException($"the node sent a message that is not JSON: {e.Message}", e);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The kinds of message a subscription meets.</summary>
    private enum MessageKind
    {
        /// <summary>Anything else (an answer without a subscription id).</summary>
        Other,

        /// <summary>A log (<c>eth_subscription</c>).</summary>
        Notification,

        /// <summary>The answer to the request: a subscription id.</summary>
        Subscribed,

        /// <summary>The answer to the request: an error.</summary>
        Refused,
    }

    private static string Truncated(string text) => text.Length <= 200 ? text : text[..200] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "log subscription at {Url} lost ({Reason}); the node polls until it is back")]
    private static partial void LogLost(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "log subscription at {Url} restored")]
    private static partial void LogRestored(ILogger logger, Uri url);
}
