namespace Exchange.Core.Manifests;

/// <summary>A job or output manifest that is malformed or invalid; <see cref="Field"/> names the offending field.</summary>
public sealed class ManifestException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ManifestException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public ManifestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one field.</summary>
    /// <param name="field">The field's path, e.g. <c>tasks[3].inputs[0].hash</c>; empty for the manifest as a whole.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ManifestException(string field, string problem, Exception? innerException)
        : base(field.Length == 0 ? $"manifest: {problem}" : $"manifest field '{field}' {problem}", innerException)
    {
        Field = field;
    }

    /// <summary>The path of the offending field, e.g. <c>tasks[3].index</c>; empty when the manifest as a whole is wrong.</summary>
    public string Field { get; } = string.Empty;
}
