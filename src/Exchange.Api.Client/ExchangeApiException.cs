using System.Net;

namespace Exchange.Api.Client;

/// <summary>The exchange API refused a request or answered something a node cannot use; the message holds the API's problem detail.</summary>
public sealed class ExchangeApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExchangeApiException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ExchangeApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ExchangeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an HTTP answer.</summary>
    public ExchangeApiException(string message, HttpStatusCode status)
        : base(message) => Status = status;

    /// <summary>The HTTP status of the refusal, when there was an answer.</summary>
    public HttpStatusCode? Status { get; }
}
