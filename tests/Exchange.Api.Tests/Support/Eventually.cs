using System.Diagnostics;

namespace Exchange.Api.Tests.Support;

/// <summary>Waits on a condition (the indexer catching up) instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int timeoutSeconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                throw new TimeoutException($"{what} did not happen within {timeoutSeconds} s");
            }
            await Task.Delay(100);
        }
    }
}
