using System.Text.Json;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// <c>exchange bench e2e</c> on a small honest network: one JSON object whose figures hang together.
/// Nothing is asserted about speed, which depends on the machine and its load.
/// </summary>
[Collection(NetworkTestGroup.Name)]
[Trait("Lane", "Slow")]
public sealed class BenchEndToEndTests
{
    private static readonly string[] Stages =
    [
        "clientPreparation", "hashing", "uploads", "apiIngest", "providerFetch", "inference", "outputUpload",
        "signing", "chainTransactions", "audits", "polling", "other", "chainNode", "providerProcesses", "apiProcess", "verifierProcesses",
    ];

    // Every honest run hashes, signs, uploads, fetches, infers and transacts; an audit is drawn for only some jobs.
    private static readonly string[] AlwaysBusy =
    [
        "clientPreparation", "hashing", "uploads", "apiIngest", "providerFetch", "inference", "outputUpload", "signing", "chainTransactions", "polling", "chainNode",
    ];

    [Fact]
    public async Task Bench_e2e_reports_rates_gas_and_every_stage_s_cpu_in_one_json_object()
    {
        // With a warm-up job first, on the same network: the figures are the workload's alone (two jobs settled, not three).
        var (stdout, json) = await BenchAsync("--model", "resnet-preprocess", "--tasks", "16", "--tasks-per-job", "8", "--warm-up");
        using var _ = json;
        var root = json.RootElement;
        Assert.Equal(16, root.GetProperty("tasks").GetInt32());
        Assert.Equal(2, root.GetProperty("settled").GetInt32());
        Assert.Equal(8, root.GetProperty("tasksPerJob").GetInt32());
        Assert.False(root.GetProperty("jobSizeChosen").GetBoolean());
        Assert.True(root.GetProperty("encrypted").GetBoolean());
        Assert.True(root.GetProperty("warmUp").GetBoolean());
        Assert.Equal(8, root.GetProperty("warmUpTasks").GetInt32());
        Assert.True(root.GetProperty("subscribed").GetBoolean());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        var rate = root.GetProperty("tasksPerSec").GetDouble();
        var bare = root.GetProperty("bareTasksPerSec").GetDouble();
        Assert.True(rate > 0 && bare > 0, stdout);
        Assert.Equal(rate / bare, root.GetProperty("ratio").GetDouble(), 0.001 + (0.01 * rate / bare));
        Assert.Equal(16 / root.GetProperty("seconds").GetDouble(), rate, 0.01 + (0.01 * rate));
        Assert.True(root.GetProperty("gasPerTask").GetDouble() > 0, stdout);

        var cpu = root.GetProperty("cpuMsPerTask");
        Assert.All(Stages, stage => Assert.True(cpu.GetProperty(stage).GetDouble() >= 0, $"{stage}: {cpu}"));
        Assert.All(AlwaysBusy, stage => Assert.True(cpu.GetProperty(stage).GetDouble() > 0, $"{stage}: {cpu}"));
        Assert.Equal(Stages.Sum(stage => cpu.GetProperty(stage).GetDouble()), cpu.GetProperty("total").GetDouble(), 0.01);

        var memory = root.GetProperty("peakRssMb");
        Assert.True(memory.GetProperty("process").GetDouble() > 0 && memory.GetProperty("chainNode").GetDouble() > 0, memory.ToString());
        Assert.Equal(JsonValueKind.Null, memory.GetProperty("providers").ValueKind);
        Assert.Equal(0, cpu.GetProperty("providerProcesses").GetDouble());

        // The phases follow one another from the first upload to the last job's end: they add up to
        // the measured window (which opens a moment earlier, as the upload stage is entered).
        var wall = root.GetProperty("wallSeconds");
        string[] phases = ["upload", "creation", "results", "settlement"];
        Assert.All(phases, phase => Assert.True(wall.GetProperty(phase).GetDouble() > 0, $"{phase}: {wall}"));
        Assert.Equal(root.GetProperty("seconds").GetDouble(), phases.Sum(phase => wall.GetProperty(phase).GetDouble()), 0.5);
        var toResults = 16 / phases.SkipLast(1).Sum(phase => wall.GetProperty(phase).GetDouble());
        Assert.Equal(toResults, root.GetProperty("resultsPerSec").GetDouble(), 0.01 + (0.01 * toResults));
        Assert.True(root.GetProperty("resultsPerSec").GetDouble() > rate, stdout);
        Assert.Equal(root.GetProperty("resultsPerSec").GetDouble() / bare, root.GetProperty("resultsRatio").GetDouble(), 0.001 + (0.01 * toResults / bare));
    }

    [Fact]
    public async Task Bench_e2e_with_provider_processes_reports_the_providers_memory_and_cpu_apart()
    {
        // Five jobs of 64 at once, one more than the provider's default reserve of four backs: it
        // stakes and locks for all of them, or the market refuses the fifth.
        var (_, json) = await BenchAsync("--model", "identity-u8", "--tasks", "320", "--tasks-per-job", "64", "--provider-processes");
        using var _ = json;
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("settled").GetInt32());
        var memory = root.GetProperty("peakRssMb");
        Assert.Equal(["client", "api", "verifiers"], memory.GetProperty("processRoles").EnumerateArray().Select(r => r.GetString()));

        // A provider that built every built-in model to find the one its jobs name (the registry
        // listing them all) peaked at 1.1-2.1 GiB in this run; building only its own, at 250-400 MiB.
        var provider = memory.GetProperty("providers").GetDouble();
        Assert.True(provider is > 0 and < 768, memory.ToString());

        // The provider's work is in its own process: none of it in this one's provider stages.
        var cpu = root.GetProperty("cpuMsPerTask");
        Assert.True(cpu.GetProperty("providerProcesses").GetDouble() > 0, cpu.ToString());
        Assert.Equal(0, cpu.GetProperty("providerFetch").GetDouble());
        Assert.Equal(0, cpu.GetProperty("outputUpload").GetDouble());
        Assert.Equal(Stages.Sum(stage => cpu.GetProperty(stage).GetDouble()), cpu.GetProperty("total").GetDouble(), 0.01);
    }

    [Fact]
    public async Task Bench_e2e_with_role_processes_reports_each_role_s_memory_and_cpu_apart()
    {
        var (_, json) = await BenchAsync("--model", "identity-u8", "--tasks", "128", "--tasks-per-job", "64", "--role-processes");
        using var _ = json;
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("settled").GetInt32());
        var memory = root.GetProperty("peakRssMb");
        Assert.Equal(["client"], memory.GetProperty("processRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(memory.GetProperty("api").GetDouble() is > 0 and < 512, memory.ToString());
        Assert.True(memory.GetProperty("providers").GetDouble() is > 0 and < 768, memory.ToString());

        // A verifier knows a job's model by its id alone. Building every built-in model to find it
        // held 1.1 GiB in this process after its first audit; building the one it needs, a fraction.
        Assert.True(memory.GetProperty("verifiers").GetDouble() is > 0 and < 512, memory.ToString());

        // The API's, the provider's and the verifier's work is in their processes, none in this one's stages.
        var cpu = root.GetProperty("cpuMsPerTask");
        Assert.True(cpu.GetProperty("apiProcess").GetDouble() > 0, cpu.ToString());
        Assert.True(cpu.GetProperty("providerProcesses").GetDouble() > 0, cpu.ToString());
        Assert.True(cpu.GetProperty("verifierProcesses").GetDouble() > 0, cpu.ToString());
        Assert.Equal(0, cpu.GetProperty("apiIngest").GetDouble());
        Assert.Equal(0, cpu.GetProperty("providerFetch").GetDouble());
        Assert.Equal(0, cpu.GetProperty("audits").GetDouble());
        Assert.Equal(Stages.Sum(stage => cpu.GetProperty(stage).GetDouble()), cpu.GetProperty("total").GetDouble(), 0.01);
    }

    /// <summary><c>bench e2e --device cpu --json</c> with <paramref name="options"/>, which must succeed; its output and the JSON object it printed.</summary>
    private static async Task<(string Stdout, JsonDocument Json)> BenchAsync(params string[] options)
    {
        var result = await ExchangeCli.RunAsync(Path.GetTempPath(), null, TimeSpan.FromMinutes(10), ["bench", "e2e", "--device", "cpu", .. options, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return (result.Stdout, JsonDocument.Parse(result.Stdout));
    }
}
