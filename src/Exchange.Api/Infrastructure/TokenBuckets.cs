using System.Threading.RateLimiting;

namespace Exchange.Api.Infrastructure;

/// <summary>The one shape of token bucket the API uses: a second's worth of burst, refilled each second.</summary>
internal static class TokenBuckets
{
    public static TokenBucketRateLimiterOptions PerSecond(int permitsPerSecond) => new()
    {
        TokenLimit = permitsPerSecond,
        TokensPerPeriod = permitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
