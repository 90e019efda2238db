namespace Exchange.Inference.Tests.Support;

internal static class BuiltInFiles
{
    public static string Preprocess => Path.Combine(AppContext.BaseDirectory, "models", "ResNetPreprocess.onnx");

    public static string ResNet18 => Path.Combine(AppContext.BaseDirectory, "models", "ResNet18.onnx");
}
