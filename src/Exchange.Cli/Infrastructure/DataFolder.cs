namespace Exchange.Cli.Infrastructure;

/// <summary>The <c>--data</c> folder of a long-running command, checked before anything starts in it.</summary>
internal static class DataFolder
{
    /// <summary>Creates <paramref name="path"/> if needed and proves that a file can be written in it; otherwise a one-line error naming it.</summary>
    public static void RequireWritable(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"data folder {path} is not writable: {CliRunner.Innermost(e)}", e);
        }
    }
}
