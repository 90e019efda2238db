using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Images;
using Exchange.Inference.Onnx;

namespace Exchange.Inference.Models;

/// <summary>
/// The models that ship with the program, from the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1: <c>resnet18</c>, the ResNet-18 image
/// featurizer with its mean-image preprocessing joined in front of it into one graph, and
/// <c>resnet-preprocess</c>, that preprocessing alone (a tiny, fast model for tests).
/// </summary>
public static class BuiltInModels
{
    /// <summary>The name of the ResNet-18 featurizer card.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>The name of the preprocessing-only card.</summary>
    public const string ResNetPreprocess = "resnet-preprocess";

    /// <summary>
    /// The tolerance shipped in the <c>resnet18</c> card, inside the margin that
    /// <c>exchange model calibrate resnet18</c> measures (docs/verification.md).
    /// </summary>
    public static TolerancePolicy ResNet18Policy { get; } = new(MaxRelL2: 3e-3, MaxAbs: 8e-3, MinCosine: 0.99999);

    private const string PreprocessFile = "ResNetPreprocess.onnx";
    private const string ResNetFile = "ResNet18.onnx";
    private const string ImageInput = "OriginalInput";
    private const string PreprocessOutput = "PreprocessedInput";
    private const string ResNetInput = "Input247";
    private const string ResNetOutput = "Pooling395_Output_0";

    private static readonly Lazy<BuiltInModel[]> Models = new(Create);

    /// <summary>The folder the program carries the package's ONNX files in.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The built-in models' entries.</summary>
    public static IReadOnlyList<ModelEntry> Entries => Models.Value.Select(m => m.Entry).ToArray();

    /// <summary>The ONNX bytes of a built-in model, or null when <paramref name="keccak256"/> is none of them.</summary>
    internal static byte[]? FileBytes(Bytes32 keccak256) => Models.Value.FirstOrDefault(m => m.Entry.Card.Model.Keccak256 == keccak256)?.Bytes.Value;

    private static BuiltInModel[] Create()
    {
        var preprocess = ReadPackaged(PreprocessFile);
        var resnet = ReadPackaged(ResNetFile);
        var joined = OnnxModelEditor.Chain(preprocess, PreprocessOutput, resnet, ResNetInput);

        // The packaged graphs pin the batch at 1 but compute per row; the joined file frees it once,
        // so the engine loads it without a probe.
        var batched = OnnxModelEditor.MakeBatchDynamic(joined, new HashSet<string> { ImageInput }, new HashSet<string> { ResNetOutput })
            ?? throw new InvalidDataException("The packaged ResNet-18 graph no longer has a batch dimension of 1.");
        var image = new ImagePreprocessing(224, 224, 1f, [0f, 0f, 0f], [1f, 1f, 1f]).ToPreprocessing();
        var imageSpec = new TensorSpec(ImageInput, TensorDType.Float32, new long[] { -1, 3, 224, 224 });
        return
        [
            new BuiltInModel(
                new ModelCard(
                    ResNet18,
                    "1",
                    "ResNet-18 image featurizer (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) with its mean-image preprocessing: RGB 224x224 in, 512 features out",
                    new ModelFile("resnet18.onnx", Keccak.Hash(batched)),
                    new[] { imageSpec },
                    new[] { new TensorSpec(ResNetOutput, TensorDType.Float32, new long[] { -1, 512, 1, 1 }) },
                    image,
                    Classifier: false,
                    ResNet18Policy),
                batched),
            new BuiltInModel(
                new ModelCard(
                    ResNetPreprocess,
                    "1",
                    "The ResNet-18 featurizer's preprocessing alone (RGB to BGR, minus the mean image): a tiny model for tests",
                    new ModelFile("resnet-preprocess.onnx", Keccak.Hash(preprocess)),
                    new[] { imageSpec },
                    new[] { new TensorSpec(PreprocessOutput, TensorDType.Float32, new long[] { -1, 3, 224, 224 }) },
                    image,
                    Classifier: false,
                    ExactPolicy.Instance),
                preprocess),
        ];
    }

    private static byte[] ReadPackaged(string file)
    {
        var path = Path.Combine(Folder, file);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"The built-in model file {path} is missing: rebuild the program (the file comes from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package).", path);
    }

    private sealed class BuiltInModel(ModelCard card, byte[] bytes)
    {
        public ModelEntry Entry { get; } = new(card, card.ModelId, BuiltIn: true);

        public Lazy<byte[]> Bytes { get; } = new(bytes);
    }
}
