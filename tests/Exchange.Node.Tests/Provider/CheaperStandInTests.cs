using Exchange.Inference.Calibration;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Onnx;
using Exchange.Inference.Verification;
using Exchange.Node.Client;
using Exchange.Node.Models;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Provider;

/// <summary><c>--cheat other-model</c> without <c>--cheat-model</c>: a real, different model derived from the offered one, which the verifier's comparison rejects.</summary>
[Trait("Lane", "Slow")]
public sealed class CheaperStandInTests : IDisposable
{
    private readonly TempDirectory _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(BuiltInModels.ResNetPreprocess, CheaperModels.WeightsInt8)]
    [InlineData(BuiltInModels.ResNet18, CheaperModels.LastResidualBlockSkipped)]
    [InlineData(BuiltInModels.ResNet18Bytes, CheaperModels.LastResidualBlockSkipped)]
    public async Task The_stand_in_is_another_model_whose_outputs_fail_the_real_cards_policy(string name, string edit)
    {
        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(_store.Path)));
        var models = new ModelCatalog(engine);
        var real = models.Resolve(name);

        var standIn = models.CheaperStandIn(real);

        Assert.Equal($"{name}-cheat-{edit}", standIn.Card.Name);
        Assert.NotEqual(real.Card.Model.Keccak256, standIn.Card.Model.Keccak256);
        Assert.Equal(real.Card.Outputs, standIn.Card.Outputs);
        var tasks = SyntheticImages.Png(2, 11, 224, 224).Select((png, i) => ClientTask.FromImage($"{i}.png", png, real.Card).Inputs).ToList();
        var honest = await real.RunAsync(tasks, CancellationToken.None);
        var cheated = await standIn.RunAsync(tasks, CancellationToken.None);
        for (var t = 0; t < tasks.Count; t++)
        {
            Assert.Equal(honest[t][0].Shape.ToArray(), cheated[t][0].Shape.ToArray());
            Assert.False(OutputComparator.Compare(real.Card, honest[t], cheated[t]).Pass, $"task {t} of {standIn.Card.Name} passed {name}'s policy");
        }
    }

    [Fact]
    public void Bytes_that_are_not_an_onnx_model_are_refused() =>
        Assert.Throws<InvalidDataException>(() => CheaperModels.Derive([1, 2, 3, 4]));
}
