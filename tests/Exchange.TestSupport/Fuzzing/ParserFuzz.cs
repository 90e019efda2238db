using System.Runtime.ExceptionServices;
using CsCheck;

namespace Exchange.TestSupport.Fuzzing;

/// <summary>
/// Holds a parser to the property every parser here promises: on any input it returns, or refuses
/// with one of its own typed errors, within a time bound. A crash (any other exception) or a hang
/// fails the run with the input and CsCheck's seed, so the case can be replayed
/// (<c>CsCheck_Seed=...</c>) and kept as a regression test.
/// </summary>
public static class ParserFuzz
{
    /// <summary>
    /// Most time one case may take. The parsers answer in microseconds to milliseconds; the bound
    /// only has to tell a hang from a loaded machine.
    /// </summary>
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    /// <summary>Environment variable naming a file to which each passing property appends the number of cases it ran.</summary>
    public const string TallyVariable = "EXCHANGE_FUZZ_TALLY";

    private static readonly Lock TallyLock = new();

    /// <summary>Runs <paramref name="parse"/> over <paramref name="cases"/> generated inputs.</summary>
    /// <param name="inputs">The input generator.</param>
    /// <param name="cases">How many inputs to try.</param>
    /// <param name="parse">Feeds one input to the parser (and may check what it returns).</param>
    /// <param name="isTypedRejection">Whether an exception is one of the parser's own refusals.</param>
    /// <param name="print">How to show a failing input.</param>
    /// <returns>The number of cases run.</returns>
    public static long Run<T>(Gen<T> inputs, long cases, Action<T> parse, Func<Exception, bool> isTypedRejection, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long ran = 0;
        inputs.Sample(
            input =>
            {
                Interlocked.Increment(ref ran);
                // A thread of its own: blocking a pool thread on a pool task starves the pool when
                // several properties run at once, and a starved case looks like a hang.
                var work = Task.Factory.StartNew(() => parse(input), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                bool finished;
                try
                {
                    finished = work.Wait(CaseLimit);
                }
                catch (AggregateException e) when (e.InnerException is { } inner)
                {
                    Judge(inner, isTypedRejection);
                    return;
                }

                if (!finished)
                {
                    throw new TimeoutException($"the parser did not answer within {CaseLimit.TotalSeconds} s");
                }
            },
            iter: cases,
            print: print);
        Tally(ran);
        return ran;
    }

    /// <summary>As <see cref="Run{T}"/> for an asynchronous parser, such as a request to the API.</summary>
    /// <returns>The number of cases run.</returns>
    public static async Task<long> RunAsync<T>(Gen<T> inputs, long cases, Func<T, Task> parse, Func<Exception, bool> isTypedRejection, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long ran = 0;
        await inputs.SampleAsync(
            async input =>
            {
                Interlocked.Increment(ref ran);
                try
                {
                    await parse(input).WaitAsync(CaseLimit);
                }
                catch (TimeoutException)
                {
                    throw new TimeoutException($"the parser did not answer within {CaseLimit.TotalSeconds} s");
                }
                catch (Exception e)
                {
                    Judge(e, isTypedRejection);
                }
            },
            iter: cases,
            print: print);
        Tally(ran);
        return ran;
    }

    /// <summary>
    /// Adds a property's cases to the file named by <see cref="TallyVariable"/>, when set: the
    /// reliability campaign counts the cases the suites really ran, not their budgets. Reached only
    /// when every case passed (a failing property throws before).
    /// </summary>
    private static void Tally(long ran)
    {
        if (Environment.GetEnvironmentVariable(TallyVariable) is { Length: > 0 } file)
        {
            lock (TallyLock)
            {
                File.AppendAllText(file, ran.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            }
        }
    }

    private static void Judge(Exception e, Func<Exception, bool> isTypedRejection)
    {
        if (!isTypedRejection(e))
        {
            ExceptionDispatchInfo.Capture(e).Throw();
        }
    }
}
