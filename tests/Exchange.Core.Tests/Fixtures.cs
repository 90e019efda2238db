using System.Diagnostics;

namespace Exchange.Core.Tests;

/// <summary>Finds the committed fixture files copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string PathOf(string folder, string name) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", folder, name);

    public static byte[] Bytes(string folder, string name) => File.ReadAllBytes(PathOf(folder, name));

    /// <summary>Runs a fixture's Node script (an independent implementation) with <paramref name="arguments"/>.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> NodeAsync(string folder, string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node", [PathOf(folder, script), .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
