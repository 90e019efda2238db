using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Text;

namespace Exchange.Inference.Calibration;

/// <summary>Cheats on a text model's inputs: the provider runs the real model on something else than the client's tokens.</summary>
internal static class TextCheats
{
    /// <summary>
    /// The task's word pieces in a random order, <c>[CLS]</c> first and <c>[SEP]</c> last as before:
    /// the same bag of tokens, so a mean-pooled embedding changes only through word order.
    /// </summary>
    public static Tensor[] ShuffleTokens(ModelCard card, Tensor[] task, Random random)
    {
        var preprocessing = TextPreprocessing.From(card.Preprocessing);
        var idsAt = Index(card, preprocessing.IdsInput);
        var length = (int)Values(task[Index(card, preprocessing.MaskInput)]).Sum();
        var ids = Values(task[idsAt]);
        random.Shuffle(ids.AsSpan(1, Math.Max(0, length - 2)));
        var result = (Tensor[])task.Clone();
        long[] shape = [.. task[idsAt].Shape];
        result[idsAt] = task[idsAt].DType == TensorDType.Int32 ? Tensor.Create<int>(ids.Select(v => (int)v).ToArray(), shape) : Tensor.Create<long>(ids, shape);
        return result;
    }

    /// <summary>Token ids or mask values, from the int64 or int32 tensors a text card may take.</summary>
    private static long[] Values(Tensor tensor) =>
        tensor.DType == TensorDType.Int32 ? [.. tensor.AsInt32().ToArray().Select(v => (long)v)] : tensor.AsInt64().ToArray();

    private static int Index(ModelCard card, string input) => card.Inputs.Select((spec, i) => (spec, i)).First(x => x.spec.Name == input).i;
}
