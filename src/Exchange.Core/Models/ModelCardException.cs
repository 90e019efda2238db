namespace Exchange.Core.Models;

/// <summary>A model card that is malformed or invalid; <see cref="Field"/> names the offending field.</summary>
public sealed class ModelCardException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ModelCardException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public ModelCardException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ModelCardException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one field.</summary>
    /// <param name="field">The field's path, e.g. <c>inputs[0].shape</c>; empty for the card as a whole.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelCardException(string field, string problem, Exception? innerException)
        : base(field.Length == 0 ? $"model card: {problem}" : $"model card field '{field}' {problem}", innerException)
    {
        Field = field;
    }

    /// <summary>The path of the offending field, e.g. <c>verification.maxAbs</c>; empty when the card as a whole is wrong.</summary>
    public string Field { get; } = string.Empty;
}
