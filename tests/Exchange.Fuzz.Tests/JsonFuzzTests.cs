using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Json;
using Exchange.Core.Manifests;
using Exchange.Core.Models;
using Exchange.Core.Privacy;
using Xunit.Abstractions;

namespace Exchange.Fuzz.Tests;

/// <summary>Canonical JSON and the strict JSON formats built on it: job and output manifests, model cards.</summary>
public sealed class JsonFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] ManifestKeys =
        ["modelId", "tasks", "index", "inputs", "outputs", "name", "hash", "privacy", "scheme", "salt", "recipient", "sealedSecret", "keyCommitments", "jobId"];

    private static readonly string[] CardKeys =
    [
        "name", "version", "description", "model", "file", "keccak256", "inputs", "outputs", "dtype", "shape", "preprocessing", "kind",
        "width", "height", "layout", "mean", "std", "scale", "classifier", "verification", "policy", "maxRelL2", "maxAbs", "minCosine", "minTop1Agreement",
    ];

    private static readonly Bytes32 H1 = Keccak.Hash("one"u8);
    private static readonly Bytes32 H2 = Keccak.Hash("two"u8);

    private static readonly JobManifest Plain = new(H1, new[] { new ManifestTask(0, new[] { new BlobRef("input", H1) }), new ManifestTask(1, new[] { new BlobRef("a", H1), new BlobRef("b", H2) }) });

    private static readonly JobManifest Private = Plain with
    {
        Privacy = new JobPrivacy(H1, H2, new byte[JobPrivacy.SealedSecretLength], new[] { H1, H2 }),
    };

    private static readonly byte[][] JobSeeds = [Plain.ToCanonicalJson(), Private.ToCanonicalJson()];

    private static readonly byte[][] OutputSeeds =
    [
        new OutputManifest(42, new[] { new OutputTask(0, new[] { new BlobRef("output", H2) }) }).ToCanonicalJson(),
        new OutputManifest(null, new[] { new OutputTask(0, new[] { new BlobRef("y", H1), new BlobRef("z", H2) }) }).ToCanonicalJson(),
    ];

    private static readonly byte[][] CardSeeds =
    [
        Encoding.UTF8.GetBytes("""
            {"name":"resnet18","version":"1","description":"ResNet-18 featurizer",
             "model":{"keccak256":"0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","file":"resnet18.onnx"},
             "inputs":[{"name":"input","dtype":"float32","shape":[-1,3,224,224]}],"outputs":[{"name":"output","dtype":"float32","shape":[-1,512]}],
             "preprocessing":{"kind":"image","width":224,"height":224,"layout":"NCHW","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"scale":0.00392156862745098},
             "classifier":true,"verification":{"policy":"tolerance","maxRelL2":0.01,"maxAbs":0.005,"minCosine":0.9999,"minTop1Agreement":1.0}}
            """),
        Encoding.UTF8.GetBytes("""
            {"name":"adder","version":"2","model":{"file":"add.onnx","keccak256":"0x1111111111111111111111111111111111111111111111111111111111111111"},
             "inputs":[{"name":"a","dtype":"int64","shape":[4]},{"name":"b","dtype":"int64","shape":[4]}],"outputs":[{"name":"sum","dtype":"int64","shape":[4]}],
             "preprocessing":{"kind":"none"},"classifier":false,"verification":{"policy":"exact"}}
            """),
    ];

    [Fact]
    public void Canonical_json_is_produced_once_and_stays_put_or_the_text_is_refused_with_FormatException()
    {
        var texts = Gen.OneOf(JsonTexts.Documents(ManifestKeys.Concat(CardKeys).ToArray(), depth: 5), ByteMutations.Of([.. JobSeeds, .. CardSeeds]));

        var ran = Run(texts, FuzzBudget.CanonicalJson, text =>
        {
            var canonical = CanonicalJson.Canonicalize(text);
            Assert.Equal(canonical, CanonicalJson.Canonicalize(canonical));
        }, e => e.GetType() == typeof(FormatException));

        output.WriteLine($"{ran} JSON texts canonicalised");
    }

    [Fact]
    public void Job_manifests_round_trip_or_are_refused_with_ManifestException()
    {
        var ran = Run(Inputs(ManifestKeys, JobSeeds), FuzzBudget.JobManifests, text =>
        {
            var manifest = JobManifest.Parse(text);
            Assert.Equal(manifest, JobManifest.Parse(manifest.ToCanonicalJson()));
        }, e => e is ManifestException);

        output.WriteLine($"{ran} job manifests parsed");
    }

    [Fact]
    public void Output_manifests_round_trip_or_are_refused_with_ManifestException()
    {
        var ran = Run(Inputs(ManifestKeys, OutputSeeds), FuzzBudget.OutputManifests, text =>
        {
            var manifest = OutputManifest.Parse(text);
            Assert.Equal(manifest, OutputManifest.Parse(manifest.ToCanonicalJson()));
        }, e => e is ManifestException);

        output.WriteLine($"{ran} output manifests parsed");
    }

    [Fact]
    public void Model_cards_round_trip_or_are_refused_with_ModelCardException()
    {
        var ran = Run(Inputs(CardKeys, CardSeeds), FuzzBudget.ModelCards, text =>
        {
            var card = ModelCard.Parse(text);
            Assert.Equal(card, ModelCard.Parse(card.ToCanonicalJson()));
        }, e => e is ModelCardException);

        output.WriteLine($"{ran} model cards parsed");
    }

    // Half built from the format's own keys, half valid documents mutated byte by byte.
    private static Gen<byte[]> Inputs(string[] keys, byte[][] seeds) => Gen.OneOf(JsonTexts.Documents(keys), ByteMutations.Of(seeds));

    private static long Run(Gen<byte[]> inputs, int cases, Action<byte[]> parse, Func<Exception, bool> isTyped)
    {
        var ran = ParserFuzz.Run(inputs, cases, parse, isTyped, FuzzInput.Show);
        Assert.True(ran >= cases, $"ran {ran} of {cases} cases");
        return ran;
    }
}
