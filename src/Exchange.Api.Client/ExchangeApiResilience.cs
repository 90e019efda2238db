using System.Net;
using Microsoft.Extensions.Http.Resilience;

namespace Exchange.Api.Client;

/// <summary>
/// How the API client rides out single-request blips: an API restarting, a rate limit, a slow
/// upload. Longer outages are the caller's to wait out (nodes retry a job until its deadline).
/// </summary>
public static class ExchangeApiResilience
{
    /// <summary>Retries after the first attempt: 6, with waits of about 0.2, 0.4, … 6.4 s (about 13 s in all) unless the API asks for longer.</summary>
    public const int MaxRetryAttempts = 6;

    /// <summary>The first wait before a retry: 200 ms, doubled each time, with jitter.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one attempt may take: 2 minutes, for a large upload on a slow link.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long a request may take with its retries: 5 minutes.</summary>
    public static readonly TimeSpan TotalRequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sets the standard pipeline's strategies. Retries what is transient (network errors,
    /// timeouts, 408, 429 and 5xx, the standard handler's rule), honouring <c>Retry-After</c>;
    /// any other answer (a 404, a refused signature) is final. Every method is retried: uploads are
    /// idempotent (content addressed) and their bodies are buffered, so they can be sent again.
    /// </summary>
    public static void Configure(HttpStandardResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.MaxRetryAttempts = MaxRetryAttempts;
        options.Retry.Delay = FirstDelay;
        options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        options.Retry.ShouldRetryAfterHeader = true;
        options.AttemptTimeout.Timeout = AttemptTimeout;
        options.TotalRequestTimeout.Timeout = TotalRequestTimeout;
        // The breaker's window must span at least two attempts (the options validator's rule).
        options.CircuitBreaker.SamplingDuration = 2 * AttemptTimeout;
        // Every role in a process shares the circuit to an API, so it opens only when the API is
        // failing (half the requests), and a 429 (the API pacing a client, which the retries wait
        // out as asked) is no failure: a busy API must not cut every role off.
        options.CircuitBreaker.FailureRatio = 0.5;
        options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
    }
}
