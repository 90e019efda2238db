using System.Numerics;
using Exchange.Core.Tensors;

namespace Exchange.Node.Provider;

/// <summary>
/// The inputs a job's check fetched, decrypted and parsed, kept for its computation so that each
/// input is fetched and decrypted once. Bounded by bytes across all jobs: what does not fit is not
/// kept (the first tasks of a job stay, the computation fetches the rest again), so memory stays
/// within the budget whatever the jobs' sizes. In memory only: after a restart a job's inputs are
/// fetched again. A job that ends without its computation taking its inputs (it expired, or the
/// client's and the provider's paths parted) leaves them until its deadline, when they make room.
/// </summary>
/// <param name="budgetBytes">Bytes of tensor data kept at most; 0 keeps nothing.</param>
/// <param name="time">The clock deadlines are compared with.</param>
public sealed class CheckedInputs(long budgetBytes, TimeProvider time)
{
    private readonly Dictionary<(BigInteger JobId, int Task), (IReadOnlyList<Tensor> Inputs, ulong Deadline)> _inputs = [];
    private long _bytes;

    /// <summary>Bytes of tensor data held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_inputs)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Keeps a checked task's inputs when they fit the budget.</summary>
    /// <returns>False when they did not fit (the computation fetches them again).</returns>
    /// <param name="jobId">The job.</param>
    /// <param name="deadline">The job's deadline (UNIX seconds), after which nobody needs its inputs.</param>
    /// <param name="task">The task's index.</param>
    /// <param name="inputs">Its checked inputs.</param>
    public bool TryKeep(BigInteger jobId, ulong deadline, int task, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var size = SizeOf(inputs);
        lock (_inputs)
        {
            if (_bytes + size > budgetBytes)
            {
                DropExpired();
            }

            if (_bytes + size > budgetBytes || !_inputs.TryAdd((jobId, task), (inputs, deadline)))
            {
                return false;
            }

            _bytes += size;
            return true;
        }
    }

    /// <summary>Hands a kept task's inputs over to the computation (and forgets them), or null when they were not kept.</summary>
    public IReadOnlyList<Tensor>? Take(BigInteger jobId, int task)
    {
        lock (_inputs)
        {
            if (!_inputs.Remove((jobId, task), out var kept))
            {
                return null;
            }

            _bytes -= SizeOf(kept.Inputs);
            return kept.Inputs;
        }
    }

    /// <summary>Forgets a job's kept inputs (it was declined, failed or ended before its computation took them).</summary>
    public void Forget(BigInteger jobId)
    {
        lock (_inputs)
        {
            RemoveWhere(key => key.JobId == jobId);
        }
    }

    private void DropExpired()
    {
        var now = (ulong)time.GetUtcNow().ToUnixTimeSeconds();
        RemoveWhere(key => _inputs[key].Deadline <= now);
    }

    private void RemoveWhere(Func<(BigInteger JobId, int Task), bool> match)
    {
        foreach (var key in _inputs.Keys.Where(match).ToList())
        {
            _inputs.Remove(key, out var kept);
            _bytes -= SizeOf(kept.Inputs);
        }
    }

    private static long SizeOf(IReadOnlyList<Tensor> inputs) => inputs.Sum(t => t.ElementCount * t.DType.Size());
}
