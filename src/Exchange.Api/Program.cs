namespace Exchange.Api;

/// <summary>The API process: <c>dotnet Exchange.Api.dll</c>, or <c>exchange api run</c> through the CLI.</summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Builds the API from the command-line arguments and serves until stopped.</summary>
    public static Task Main(string[] args) => ApiApplication.Create(args).RunAsync();
}
