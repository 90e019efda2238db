using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.Infrastructure;

/// <summary>The API's error answers, so that every refusal reads the same.</summary>
internal static class Problems
{
    /// <summary>A 400 naming the offending field, shaped as a validation problem.</summary>
    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid request",
            Detail = message,
        });

    public static ProblemHttpResult Status(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    public static ProblemHttpResult NotFound(string detail) =>
        Status(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult TooManyRequests() =>
        Status(StatusCodes.Status429TooManyRequests, "Too many requests", "The rate limit for this address was reached; retry later.");
}
