using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;

namespace Exchange.Inference.Tests;

public class BatchingQueueTests
{
    private static readonly SessionSettings Cpu = new(DeviceSpec.Cpu);

    [Fact]
    public async Task Tasks_are_grouped_into_full_batches_and_each_gets_its_own_output_in_order()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(4), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(8, TimeSpan.FromSeconds(5), 64), TimeProvider.System);

        var inputs = Enumerable.Range(0, 16).Select(i => Floats.Random(4, seed: i)).ToArray();
        var outputs = await Task.WhenAll(inputs.Select(input => queue.RunAsync([input], CancellationToken.None)));

        Assert.Equal(2, queue.Batches);
        Assert.Equal(16, queue.Tasks);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(Floats.Of(inputs[i]).Select(v => v * 2), Floats.Of(outputs[i][0]));
        }
    }

    [Fact]
    public async Task Fixed_batch_model_still_batches_through_concurrent_calls()
    {
        using var model = OnnxModel.Load(TinyOnnx.PinnedReshape(3), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(4, TimeSpan.FromSeconds(5), 16), TimeProvider.System);

        var inputs = Enumerable.Range(0, 8).Select(i => Floats.Random(3, seed: 100 + i)).ToArray();
        var outputs = await Task.WhenAll(inputs.Select(input => queue.RunAsync([input], CancellationToken.None)));

        Assert.Equal(BatchMode.Concurrent, model.Mode);
        Assert.Equal(2, queue.Batches);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(Floats.Of(inputs[i]), Floats.Of(outputs[i][0]));
        }
    }

    [Fact]
    public async Task Overlapping_batches_give_every_task_its_own_output_and_dispose_waits_for_them()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(16), Cpu);
        var queue = new BatchingQueue(model, new BatchingOptions(4, TimeSpan.Zero, 4, Overlap: 2), TimeProvider.System);

        var inputs = Enumerable.Range(0, 200).Select(i => Floats.Random(16, seed: 300 + i)).ToArray();
        var outputs = await Task.WhenAll(inputs.Select(input => queue.RunAsync([input], CancellationToken.None)));
        await queue.DisposeAsync();

        Assert.Equal(200, queue.Tasks);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(Floats.Of(inputs[i]).Select(v => v * 2), Floats.Of(outputs[i][0]));
        }
    }

    [Fact]
    public async Task Large_batches_gathered_by_several_threads_and_reused_buffers_never_mix_tasks()
    {
        // 256 KiB per task: a batch of 32 is 8 MiB, above the size at which the copy goes parallel;
        // the lone task between the two big batches reuses a buffer that still holds older rows.
        const int floats = 1 << 16;
        using var model = OnnxModel.Load(TinyOnnx.Doubler(floats), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(32, TimeSpan.FromSeconds(5), 64), TimeProvider.System);

        foreach (var (count, seed) in new[] { (32, 1_000), (1, 2_000), (32, 3_000) })
        {
            var inputs = Enumerable.Range(0, count).Select(i => Floats.Random(floats, seed: seed + i)).ToArray();
            var outputs = await Task.WhenAll(inputs.Select(input => queue.RunAsync([input], CancellationToken.None)));
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(Floats.Of(inputs[i]).Select(v => v * 2), Floats.Of(outputs[i][0]));
            }
        }

        Assert.Equal(3, queue.Batches);
    }

    [Fact]
    public async Task A_lone_task_runs_after_the_maximum_wait()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(2), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(8, TimeSpan.FromMilliseconds(20), 8), TimeProvider.System);

        var output = await queue.RunAsync([Floats.Bytes(1, 2)], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([2f, 4f], Floats.Of(output[0]));
        Assert.Equal(1, queue.Batches);
    }

    [Fact]
    public async Task A_tiny_queue_applies_backpressure_and_still_completes_every_task()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(2), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(2, TimeSpan.Zero, 1), TimeProvider.System);

        var outputs = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => queue.RunAsync([Floats.Bytes(i, i)], CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => 2f * i), outputs.Select(o => Floats.Of(o[0])[0]));
    }

    [Fact]
    public async Task A_bad_task_fails_alone_and_its_batch_neighbours_succeed()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(2), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(4, TimeSpan.FromSeconds(5), 8), TimeProvider.System);

        var good = queue.RunAsync([Floats.Bytes(1, 1)], CancellationToken.None);
        var bad = queue.RunAsync([Floats.Bytes(1, 1, 1)], CancellationToken.None);
        var alsoGood = queue.RunAsync([Floats.Bytes(3, 3)], CancellationToken.None);
        var last = queue.RunAsync([Floats.Bytes(4, 4)], CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() => bad);
        var outputs = await Task.WhenAll(good, alsoGood, last);
        Assert.Equal(new[] { 2f, 6f, 8f }, outputs.Select(o => Floats.Of(o[0])[1]));
    }

    [Fact]
    public async Task A_cancelled_task_is_cancelled()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(2), Cpu);
        await using var queue = new BatchingQueue(model, new BatchingOptions(4, TimeSpan.FromSeconds(5), 8), TimeProvider.System);
        using var cancel = new CancellationTokenSource();

        var task = queue.RunAsync([Floats.Bytes(1, 1)], cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 1, 0)]
    public void Options_out_of_range_are_rejected(int maxBatch, int waitMs, int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingOptions(maxBatch, TimeSpan.FromMilliseconds(waitMs), capacity).Validate());
    }
}
