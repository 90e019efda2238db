using System.Numerics;
using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Models;
using Exchange.Core.Tests.Models;

namespace Exchange.Core.Tests.Manifests;

public sealed class ManifestTests
{
    private static readonly Bytes32 H1 = Keccak.Hash("one"u8);
    private static readonly Bytes32 H2 = Keccak.Hash("two"u8);
    private static readonly Bytes32 H3 = Keccak.Hash("three"u8);

    private static JobManifest TwoTasks(Bytes32 modelId) => new(
        modelId,
        new[]
        {
            new ManifestTask(0, new[] { new BlobRef("input", H1) }),
            new ManifestTask(1, new[] { new BlobRef("input", H2) }),
        });

    [Fact]
    public void JobManifest_CanonicalJson_HasTheDocumentedShape()
    {
        var manifest = TwoTasks(H3);

        var json = Encoding.UTF8.GetString(manifest.ToCanonicalJson());

        Assert.Equal(
            $$"""{"modelId":"{{H3}}","tasks":[{"index":0,"inputs":[{"hash":"{{H1}}","name":"input"}]},{"index":1,"inputs":[{"hash":"{{H2}}","name":"input"}]}]}""",
            json);
        Assert.Equal(Bytes32.FromBytes(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(json))), manifest.Hash);
        Assert.Equal(manifest, JobManifest.Parse(json));
    }

    [Fact]
    public void InputHash_OfOneInput_IsTheBlobHash() => Assert.Equal([H1, H2], TwoTasks(H3).InputHashes);

    [Fact]
    public void InputHash_OfSeveralInputs_IsKeccakOfTheCanonicalInputList()
    {
        var task = new ManifestTask(0, new[] { new BlobRef("a", H1), new BlobRef("b", H2) });
        var list = $$"""[{"hash":"{{H1}}","name":"a"},{"hash":"{{H2}}","name":"b"}]""";

        Assert.Equal(Keccak.Hash(Encoding.UTF8.GetBytes(list)), task.InputHash);
        Assert.NotEqual(task.InputHash, new ManifestTask(0, new[] { new BlobRef("b", H2), new BlobRef("a", H1) }).InputHash);
    }

    [Fact]
    public void OutputManifest_RoundTripsWithAndWithoutJobId()
    {
        var outputs = new OutputManifest(
            BigInteger.Parse("115792089237316195423570985008687907853269984665640564039457584007913129639935"),
            new[] { new OutputTask(0, new[] { new BlobRef("output", H1) }) });

        var json = Encoding.UTF8.GetString(outputs.ToCanonicalJson());

        Assert.StartsWith("""{"jobId":"1157920892373161954235709850086879078532699846656405640394575840079131296399""", json, StringComparison.Ordinal);
        Assert.Equal(outputs, OutputManifest.Parse(json));
        Assert.Equal([H1], outputs.OutputHashes);
        var anonymous = outputs with { JobId = null };
        Assert.Equal(
            $$"""{"tasks":[{"index":0,"outputs":[{"hash":"{{H1}}","name":"output"}]}]}""",
            Encoding.UTF8.GetString(anonymous.ToCanonicalJson()));
        Assert.NotEqual(outputs.Hash, anonymous.Hash);
    }

    [Fact]
    public void EnsureMatches_AcceptsAManifestForTheCard()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);
        var job = TwoTasks(card.ModelId);
        var outputs = new OutputManifest(7, new[] { new OutputTask(0, new[] { new BlobRef("output", H1) }), new OutputTask(1, new[] { new BlobRef("output", H2) }) });

        job.EnsureMatches(card);
        outputs.EnsureMatches(job, card);
    }

    [Fact]
    public void Trees_AreOverTheManifestHashes()
    {
        var job = TwoTasks(H3);
        var outputs = new OutputManifest(null, new[] { new OutputTask(0, new[] { new BlobRef("output", H2) }), new OutputTask(1, new[] { new BlobRef("output", H1) }) });

        var tasks = job.TaskTree();
        var results = outputs.ResultTree(job);

        Assert.Equal(MerkleTree.HashPair(MerkleLeaves.Task(0, H1), MerkleLeaves.Task(1, H2)), tasks.Root);
        Assert.Equal(MerkleTree.HashPair(MerkleLeaves.Result(0, H1, H2), MerkleLeaves.Result(1, H2, H1)), results.Root);
        Assert.Throws<ArgumentException>(() => (outputs with { Tasks = outputs.Tasks.Take(1).ToArray() }).ResultTree(job));
    }

    [Fact]
    public void EnsureMatches_OtherModel_IsRejected()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);

        var e = Assert.Throws<ManifestException>(() => TwoTasks(H3).EnsureMatches(card));

        Assert.Equal("modelId", e.Field);
    }

    [Fact]
    public void EnsureMatches_WrongInputNames_IsRejected()
    {
        var card = ModelCard.Parse(SampleCards.TwoInputsExact);
        var job = new JobManifest(card.ModelId, new[] { new ManifestTask(0, new[] { new BlobRef("b", H1), new BlobRef("a", H2) }) });

        var e = Assert.Throws<ManifestException>(() => job.EnsureMatches(card));

        Assert.Equal("tasks[0].inputs", e.Field);
        Assert.Contains("names (b, a) but the model card's are (a, b)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureMatches_WrongTaskCountOrOutputNames_IsRejected()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);
        var job = TwoTasks(card.ModelId);
        var tooFew = new OutputManifest(null, new[] { new OutputTask(0, new[] { new BlobRef("output", H1) }) });
        var misnamed = new OutputManifest(null, new[] { new OutputTask(0, new[] { new BlobRef("logits", H1) }), new OutputTask(1, new[] { new BlobRef("output", H1) }) });

        Assert.Equal("tasks", Assert.Throws<ManifestException>(() => tooFew.EnsureMatches(job, card)).Field);
        Assert.Equal("tasks[0].outputs", Assert.Throws<ManifestException>(() => misnamed.EnsureMatches(job, card)).Field);
    }

    [Theory]
    [InlineData("modelId", "\"0x12\"", "modelId", "64 digits")]
    [InlineData("modelId", null, "modelId", "is required")]
    [InlineData("tasks", "[]", "tasks", "must not be empty")]
    [InlineData("tasks[1].index", "0", "tasks[1].index", "is 0, but tasks must be listed in order from 0: this is task 1")]
    [InlineData("tasks[0].index", "-1", "tasks[0].index", "is -1")]
    [InlineData("tasks[0].index", "0.5", "tasks[0].index", "must be an integer")]
    [InlineData("tasks[0].inputs", "[]", "tasks[0].inputs", "must not be empty")]
    [InlineData("tasks[0].inputs[0].hash", "\"0xZZ\"", "tasks[0].inputs[0].hash", "64 digits")]
    [InlineData("tasks[0].inputs[0].name", "\"\"", "tasks[0].inputs[0].name", "must not be empty")]
    [InlineData("tasks[0].inputs[0].size", "1", "tasks[0].inputs[0].size", "unknown field")]
    [InlineData("tasks[0].outputs", "[]", "tasks[0].outputs", "unknown field")]
    [InlineData("jobId", "\"1\"", "jobId", "unknown field")]
    public void JobManifest_Invalid_NamesTheField(string path, string? value, string field, string problem)
    {
        var json = JsonPatch.Apply(Encoding.UTF8.GetString(TwoTasks(H3).ToCanonicalJson()), path, value);

        var e = Assert.Throws<ManifestException>(() => JobManifest.Parse(json));

        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"01\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"\"")]
    [InlineData("7")]
    [InlineData("\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"")]
    public void OutputManifest_BadJobId_IsRejected(string value)
    {
        var json = JsonPatch.Apply($$"""{"tasks":[{"index":0,"outputs":[{"hash":"{{H1}}","name":"output"}]}]}""", "jobId", value);

        Assert.Equal("jobId", Assert.Throws<ManifestException>(() => OutputManifest.Parse(json)).Field);
    }

    [Fact]
    public void DuplicateBlobNameInATask_IsRejected()
    {
        var manifest = new JobManifest(H3, new[] { new ManifestTask(0, new[] { new BlobRef("a", H1), new BlobRef("a", H2) }) });

        Assert.Equal("tasks[0].inputs[1].name", Assert.Throws<ManifestException>(() => manifest.Hash).Field);
    }

    [Fact]
    public void TaskIndexOutOfOrderInCode_IsRejected()
    {
        var manifest = new JobManifest(H3, new[] { new ManifestTask(1, new[] { new BlobRef("a", H1) }) });

        Assert.Equal("tasks[0].index", Assert.Throws<ManifestException>(() => manifest.ToCanonicalJson()).Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"modelId\":1")]
    public void NotAManifestAtAll_IsRejected(string json)
    {
        Assert.Throws<ManifestException>(() => JobManifest.Parse(json));
        Assert.Throws<ManifestException>(() => OutputManifest.Parse(json));
    }
}
