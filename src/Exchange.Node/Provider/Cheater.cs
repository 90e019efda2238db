using System.Runtime.InteropServices;
using Exchange.Core.Tensors;

namespace Exchange.Node.Provider;

/// <summary>
/// Falsifies the outputs of a chosen share of tasks, deterministically from a seed and the job id, so
/// that a test knows which tasks of a job are false. The falsifications are the ones the
/// verification policies must catch.
/// </summary>
public sealed class Cheater
{
    /// <summary>Relative L2 size of the noise <see cref="CheatMode.Perturb"/> adds: 5 %, five times a loose tolerance.</summary>
    public const double PerturbRelativeNoise = 0.05;

    private readonly CheatMode _mode;
    private readonly double _rate;
    private readonly int _seed;
    private readonly HashSet<string>? _clients;
    private IReadOnlyList<Tensor>? _previous;

    /// <summary>Creates a cheater.</summary>
    /// <param name="mode">What to do to a falsified task.</param>
    /// <param name="rate">Share of tasks falsified, in [0, 1].</param>
    /// <param name="seed">Seed of the choice of tasks and of the noise.</param>
    /// <param name="clients">
    /// Only the jobs of these clients are falsified, the others computed honestly (a canary's
    /// provider cheats its own client only); null or empty: every job.
    /// </param>
    public Cheater(CheatMode mode, double rate, int seed, IEnumerable<string>? clients = null)
    {
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the cheat rate is a share of tasks, from 0 to 1");
        }

        _mode = mode;
        _rate = mode == CheatMode.None ? 0 : rate;
        _seed = seed;
        var targets = clients?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        _clients = targets is { Count: > 0 } ? targets : null;
    }

    /// <summary>The mode.</summary>
    public CheatMode Mode => _mode;

    /// <summary>The share of tasks falsified.</summary>
    public double Rate => _rate;

    /// <summary>Whether this cheater falsifies anything at all.</summary>
    public bool IsHonest => _rate == 0;

    /// <summary>
    /// The tasks of job <paramref name="jobId"/> of <paramref name="client"/> to falsify: none when
    /// the cheater targets other clients, otherwise as <see cref="TasksToFalsify(System.Numerics.BigInteger, int)"/>.
    /// </summary>
    public IReadOnlySet<int> TasksToFalsify(System.Numerics.BigInteger jobId, string client, int taskCount) =>
        _clients is null || _clients.Contains(client) ? TasksToFalsify(jobId, taskCount) : new HashSet<int>();

    /// <summary>
    /// The tasks of job <paramref name="jobId"/> to falsify: each with probability <see cref="Rate"/>,
    /// and at least one when the rate is positive (so a cheating job always holds a false task).
    /// </summary>
    public IReadOnlySet<int> TasksToFalsify(System.Numerics.BigInteger jobId, int taskCount)
    {
        var chosen = new HashSet<int>();
        if (IsHonest || taskCount == 0)
        {
            return chosen;
        }

        var random = RandomFor(jobId, 0);
        for (var i = 0; i < taskCount; i++)
        {
            if (random.NextDouble() < _rate)
            {
                chosen.Add(i);
            }
        }

        if (chosen.Count == 0)
        {
            chosen.Add(random.Next(taskCount));
        }

        return chosen;
    }

    /// <summary>
    /// The outputs to publish for task <paramref name="taskIndex"/> of a job: the honest ones, or a
    /// falsification of them. <see cref="CheatMode.OtherModel"/> is applied by the caller (it needs
    /// another model) and passes its outputs here unchanged.
    /// </summary>
    public IReadOnlyList<Tensor> Falsify(System.Numerics.BigInteger jobId, int taskIndex, IReadOnlyList<Tensor> honest)
    {
        ArgumentNullException.ThrowIfNull(honest);
        var random = RandomFor(jobId, taskIndex + 1);
        IReadOnlyList<Tensor> result = _mode switch
        {
            CheatMode.Random => [.. honest.Select(t => RandomLike(t, random))],
            CheatMode.Perturb => [.. honest.Select(t => Perturbed(t, random))],
            CheatMode.Reuse => _previous is { } earlier && !earlier.SequenceEqual(honest) ? earlier : [.. honest.Select(t => RandomLike(t, random))],
            _ => honest,
        };
        _previous = honest;
        return result;
    }

    /// <summary>Remembers honest outputs for <see cref="CheatMode.Reuse"/>.</summary>
    public void Remember(IReadOnlyList<Tensor> honest) => _previous = honest;

    // Not HashCode.Combine: it is seeded per process, and a restarted provider must pick the same tasks.
    private Random RandomFor(System.Numerics.BigInteger jobId, int salt) =>
        new(unchecked((_seed * 1_000_003) + ((int)(jobId % int.MaxValue) * 7_919) + salt));

    private static Tensor RandomLike(Tensor tensor, Random random)
    {
        if (tensor.DType != TensorDType.Float32)
        {
            var bytes = new byte[tensor.Data.Length];
            random.NextBytes(bytes);
            if (tensor.DType == TensorDType.Bool)
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] &= 1;
                }
            }

            return new Tensor(tensor.DType, tensor.Shape.AsSpan(), bytes);
        }

        var values = new float[tensor.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new Tensor(tensor.DType, tensor.Shape.AsSpan(), MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static Tensor Perturbed(Tensor tensor, Random random)
    {
        if (tensor.DType != TensorDType.Float32)
        {
            return RandomLike(tensor, random);
        }

        var values = tensor.AsFloat32().ToArray();
        var rms = Math.Sqrt(values.Sum(v => (double)v * v) / Math.Max(1, values.Length));
        var scale = PerturbRelativeNoise * (rms > 0 ? rms : 1);
        for (var i = 0; i < values.Length; i++)
        {
            // Box-Muller: Gaussian noise of the chosen relative size.
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] += (float)(gaussian * scale);
        }

        return new Tensor(tensor.DType, tensor.Shape.AsSpan(), MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
