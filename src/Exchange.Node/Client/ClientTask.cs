using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Images;

namespace Exchange.Node.Client;

/// <summary>One task a client wants run: where its input came from and the input tensors, in the card's order.</summary>
/// <param name="Source">A name for messages and output files (the input file's name).</param>
/// <param name="Inputs">The model's inputs.</param>
public sealed record ClientTask(string Source, IReadOnlyList<Tensor> Inputs)
{
    /// <summary>Reads a task from a file: an image (PNG, JPEG…) is preprocessed as the card says, a <c>.npy</c> file is taken as the model's single input.</summary>
    /// <exception cref="InvalidDataException">The file does not fit the card.</exception>
    public static ClientTask FromFile(string path, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var bytes = File.ReadAllBytes(path);
        var name = Path.GetFileName(path);
        return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? FromNpy(name, bytes, card) : FromImage(name, bytes, card);
    }

    /// <summary>A task from an encoded image, preprocessed as the card's <c>image</c> preprocessing says.</summary>
    /// <exception cref="InvalidDataException">The card takes no image or the bytes are no image.</exception>
    public static ClientTask FromImage(string source, byte[] encoded, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (card.Inputs.Count != 1)
        {
            throw new InvalidDataException($"{source}: model '{card.Name}' takes {card.Inputs.Count} inputs; give one .npy file per input instead of an image");
        }

        try
        {
            var preprocessing = ImagePreprocessing.From(card.Preprocessing);
            var planes = preprocessing.Apply(encoded, source);
            return new ClientTask(source, [Tensor.Create<float>(planes, 1, 3, preprocessing.Height, preprocessing.Width)]);
        }
        catch (Exception e) when (e is ImageInputException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static ClientTask FromNpy(string source, byte[] bytes, ModelCard card)
    {
        if (card.Inputs.Count != 1)
        {
            throw new InvalidDataException($"{source}: model '{card.Name}' takes {card.Inputs.Count} inputs; this client reads one .npy file per task");
        }

        Tensor tensor;
        try
        {
            tensor = Npy.Read(bytes);
        }
        catch (NpyFormatException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return card.Inputs[0].Mismatch(tensor) is { } problem
            ? throw new InvalidDataException($"{source}: {problem}")
            : new ClientTask(source, [tensor]);
    }
}
