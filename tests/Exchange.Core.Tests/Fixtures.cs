namespace Exchange.Core.Tests;

/// <summary>Finds the committed fixture files copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string PathOf(string folder, string name) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", folder, name);

    public static byte[] Bytes(string folder, string name) => File.ReadAllBytes(PathOf(folder, name));
}
