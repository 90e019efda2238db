namespace Exchange.Inference.Images;

/// <summary>An image input cannot be turned into a tensor (unreadable, not PNG or JPEG, empty).</summary>
public sealed class ImageInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ImageInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ImageInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
