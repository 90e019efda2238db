using System.Text.Json;

namespace Exchange.Cli.Infrastructure;

/// <summary>Writes command results to stdout: one JSON document with <c>--json</c>, plain lines otherwise.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new BigIntegerJsonConverter() } };

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static void Line(string text) => Console.Out.WriteLine(text);
}
