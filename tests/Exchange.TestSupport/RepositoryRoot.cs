namespace Exchange.TestSupport;

/// <summary>Finds the repository's root folder (the one holding <c>hardhat.config.js</c>) from the test's output folder.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    /// <summary>Absolute path of the repository root.</summary>
    public static string Path => Root.Value;

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "hardhat.config.js")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no hardhat.config.js above {AppContext.BaseDirectory}: run the tests from inside the repository");
    }
}
