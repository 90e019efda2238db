namespace Exchange.Core.Tests.Models;

internal static class SampleCards
{
    // Whitespace and key order deliberately not canonical.
    public const string ResNet = """
        {
          "version": "1",
          "name": "resnet18",
          "description": "ResNet-18 featurizer",
          "model": { "keccak256": "0x00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", "file": "resnet18.onnx" },
          "inputs": [ { "name": "input", "dtype": "float32", "shape": [-1, 3, 224, 224] } ],
          "outputs": [ { "name": "output", "dtype": "float32", "shape": [-1, 512] } ],
          "preprocessing": { "kind": "image", "width": 224, "height": 224, "layout": "NCHW",
                             "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": 0.00392156862745098 },
          "classifier": true,
          "verification": { "policy": "tolerance", "maxRelL2": 0.01, "maxAbs": 0.005, "minCosine": 0.9999, "minTop1Agreement": 1.0 }
        }
        """;

    public const string ResNetCanonical =
        """{"classifier":true,"description":"ResNet-18 featurizer","inputs":[{"dtype":"float32","name":"input","shape":[-1,3,224,224]}],"model":{"file":"resnet18.onnx","keccak256":"0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},"name":"resnet18","outputs":[{"dtype":"float32","name":"output","shape":[-1,512]}],"preprocessing":{"height":224,"kind":"image","layout":"NCHW","mean":[0.485,0.456,0.406],"scale":0.00392156862745098,"std":[0.229,0.224,0.225],"width":224},"verification":{"maxAbs":0.005,"maxRelL2":0.01,"minCosine":0.9999,"minTop1Agreement":1,"policy":"tolerance"},"version":"1"}""";

    public const string TwoInputsExact = """
        {"name":"adder","version":"2","model":{"file":"add.onnx","keccak256":"0x1111111111111111111111111111111111111111111111111111111111111111"},
         "inputs":[{"name":"a","dtype":"int64","shape":[4]},{"name":"b","dtype":"int64","shape":[4]}],
         "outputs":[{"name":"sum","dtype":"int64","shape":[4]}],
         "preprocessing":{"kind":"none"},"classifier":false,"verification":{"policy":"exact"}}
        """;
}
