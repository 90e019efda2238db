using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Infrastructure;

/// <summary>
/// Limits signed writes per signing address. It runs inside the handlers, after the signature is
/// verified, so that nobody can spend another address's allowance by naming it.
/// </summary>
public sealed class AddressRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the limiter from <see cref="ApiOptions.WritesPerSecondPerAddress"/>.</summary>
    public AddressRateLimiter(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = options.Value.WritesPerSecondPerAddress;
        _limiter = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => TokenBuckets.PerSecond(limit)));
    }

    /// <summary>Takes one permit for the address; the lease says whether it was granted.</summary>
    public RateLimitLease Acquire(string address) => _limiter.AttemptAcquire(address.ToLowerInvariant());

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
