using System.Threading.Channels;
using Exchange.Core.Diagnostics;

namespace Exchange.Inference.Runtime;

/// <summary>
/// The queue in front of one model: a bounded channel of tasks and one worker that takes up to
/// <see cref="BatchingOptions.MaxBatchSize"/> of them, waiting at most <see cref="BatchingOptions.MaxWait"/>
/// for a batch to fill, and runs them as one batch. With <see cref="BatchingOptions.Overlap"/> above 1
/// it gathers the next batch while earlier ones still run, so a GPU does not wait for the host to
/// copy its next inputs.
/// </summary>
internal sealed class BatchingQueue : IAsyncDisposable
{
    private readonly OnnxModel _model;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<WorkItem> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly SemaphoreSlim _slots;
    private long _batches;
    private long _tasks;

    public BatchingQueue(OnnxModel model, BatchingOptions options, TimeProvider time)
    {
        options.Validate();
        _model = model;
        _options = options;
        _time = time;
        _slots = new SemaphoreSlim(options.Overlap, options.Overlap);
        _channel = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _worker = Task.Factory.StartNew(() => WorkAsync(_stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Batches run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Tasks run so far.</summary>
    public long Tasks => Interlocked.Read(ref _tasks);

    /// <summary>Queues one task; completes with its outputs once its batch ran.</summary>
    public async Task<byte[][]> RunAsync(ReadOnlyMemory<byte>[] inputs, CancellationToken cancellationToken)
    {
        var item = new WorkItem(inputs, cancellationToken);
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        using (cancellationToken.Register(static state => ((WorkItem)state!).Completion.TrySetCanceled(), item))
        {
            return await item.Completion.Task.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The worker stops by cancellation.
        }

        // Batches still running finish before their model's session may be disposed.
        for (var slot = 0; slot < _options.Overlap; slot++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        while (_channel.Reader.TryRead(out var item))
        {
            item.Completion.TrySetException(new ObjectDisposedException(nameof(BatchingQueue)));
        }

        _stop.Dispose();
        _slots.Dispose();
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        while (await _channel.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            var batch = new List<WorkItem>(_options.MaxBatchSize);
            await FillAsync(batch, stop).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                continue;
            }

            if (_options.Overlap == 1)
            {
                Execute(batch);
                continue;
            }

            // A free slot first: at most Overlap batches are gathered and running, which bounds memory.
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                foreach (var item in batch)
                {
                    item.Completion.TrySetException(new ObjectDisposedException(nameof(BatchingQueue)));
                }

                throw;
            }

            _ = Task.Run(() =>
            {
                try
                {
                    Execute(batch);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None);
        }
    }

    private async Task FillAsync(List<WorkItem> batch, CancellationToken stop)
    {
        TakeAvailable(batch);
        if (batch.Count == 0 || batch.Count >= _options.MaxBatchSize || _options.MaxWait == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new CancellationTokenSource(_options.MaxWait, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, timer.Token);
        while (batch.Count < _options.MaxBatchSize)
        {
            try
            {
                if (!await _channel.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                return;
            }

            TakeAvailable(batch);
        }
    }

    private void TakeAvailable(List<WorkItem> batch)
    {
        while (batch.Count < _options.MaxBatchSize && _channel.Reader.TryRead(out var item))
        {
            if (!item.Cancellation.IsCancellationRequested)
            {
                batch.Add(item);
            }
        }
    }

    private void Execute(List<WorkItem> batch)
    {
        using var _ = StageMeter.Measure(Stage.Inference);
        try
        {
            var outputs = _model.Run(batch.Select(b => b.Inputs).ToArray());
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(outputs[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad task must not fail its neighbours: run each alone so only the culprit fails.
            foreach (var item in batch)
            {
                Execute([item]);
            }

            return;
        }
        catch (Exception e)
        {
            batch[0].Completion.TrySetException(e);
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _tasks, batch.Count);
    }

    private sealed class WorkItem(ReadOnlyMemory<byte>[] inputs, CancellationToken cancellation)
    {
        public ReadOnlyMemory<byte>[] Inputs { get; } = inputs;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<byte[][]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
