using System.Security.Cryptography;
using Exchange.Core.Diagnostics;

namespace Exchange.Core.Tests.Diagnostics;

/// <summary>
/// The stage meter charges a stage with the CPU its flow uses on every thread it hops to, and
/// nothing else. CPU time, not wall time, is compared, and only between equal pieces of work, so
/// that a loaded machine changes both sides alike.
/// </summary>
public sealed class StageMeterTests
{
    private static readonly byte[] Block = RandomNumberGenerator.GetBytes(1 << 20);

    [Fact]
    public async Task A_stage_is_charged_for_its_flow_across_awaits_and_forks_and_not_for_work_outside_it()
    {
        using var meter = StageMeter.Install(() => TimeSpan.Zero);
        meter.Open();
        // Stages that no code in this assembly measures: other tests, running beside this one in the
        // same process, hash and sign while the window is open.
        using (StageMeter.Measure(Stage.Audits))
        {
            // The reference: four pieces of work on one thread, no await.
            for (var i = 0; i < 4; i++)
            {
                Burn();
            }
        }

        await HoppingAsync();
        for (var i = 0; i < 40; i++)
        {
            Burn();
        }

        meter.Close();

        var report = meter.Report();
        var reference = report.Stages[Stage.Audits];
        var hopping = report.Stages[Stage.Upload];
        Assert.True(reference > TimeSpan.Zero, $"{reference}");
        // The same four pieces of work, on whichever threads they ran: about the same CPU time.
        Assert.InRange(hopping / reference, 0.5, 2.0);
        // Forty pieces outside every stage are charged to none, but are the process's.
        Assert.True(report.Unattributed > reference + hopping, $"stages {reference} + {hopping}, process {report.ProcessCpu}");
        Assert.Contains(Stage.Upload, report.SinceFirstEntry.Keys);
        Assert.DoesNotContain(Stage.OutputUpload, report.SinceFirstEntry.Keys);
    }

    [Fact]
    public void Without_an_open_window_nothing_is_charged()
    {
        using var meter = StageMeter.Install(() => TimeSpan.Zero);
        using (StageMeter.Measure(Stage.Inference))
        {
            Burn();
        }

        meter.Open();
        meter.Close();

        Assert.Equal(TimeSpan.Zero, meter.Report().Stages[Stage.Inference]);
        Assert.Throws<InvalidOperationException>(() => StageMeter.Install(() => TimeSpan.Zero));
    }

    private static async Task HoppingAsync()
    {
        using var _ = StageMeter.Measure(Stage.Upload);
        Burn();
        await Task.Yield();
        Burn();
        await Task.Delay(1);
        await Task.Run(Burn);
        Burn();
    }

    /// <summary>A fixed piece of CPU work.</summary>
    private static void Burn()
    {
        for (var i = 0; i < 16; i++)
        {
            SHA256.HashData(Block);
        }
    }
}
