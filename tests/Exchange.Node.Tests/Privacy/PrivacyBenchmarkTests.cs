using Exchange.Inference.Models;
using Exchange.Node.Privacy;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Privacy;

/// <summary><c>exchange bench privacy</c> measures both sides on the card's tensors, and the payload AEAD against NSec's, which it replaced.</summary>
public sealed class PrivacyBenchmarkTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Both_sides_and_both_AEADs_are_measured_on_the_model_s_tensors()
    {
        var registry = new ModelRegistry(new ModelStore(_folder.File("models")));

        var result = PrivacyBenchmark.Run(registry, registry.Resolve(BuiltInModels.IdentityBytes), 2, CancellationToken.None);

        Assert.Equal((BuiltInModels.IdentityBytes, 2), (result.Model, result.Tasks));
        Assert.True(result.InputBytes > 150_000 && result.OutputBytes > 150_000, $"{result}");
        Assert.True(result.AeadMegabytesPerSec > 0 && result.NsecAeadMegabytesPerSec > 0, $"{result}");
        Assert.True(result.PlumbingMicrosPerTask > 0 && result.PrivacyMicrosPerTask > 0, $"{result}");
        Assert.InRange(result.Overhead, result.PrivacyMicrosPerTask / result.PlumbingMicrosPerTask * 0.99, result.PrivacyMicrosPerTask / result.PlumbingMicrosPerTask * 1.01);
    }
}
