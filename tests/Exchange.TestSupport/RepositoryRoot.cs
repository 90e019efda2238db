using Exchange.Local.Hardhat;

namespace Exchange.TestSupport;

/// <summary>The repository's root folder (the one holding <c>hardhat.config.js</c> and <c>node_modules</c>), for tests that run scripts or read artifacts.</summary>
public static class RepositoryRoot
{
    // Searched once per test run: the folder cannot move under a running test.
    private static readonly Lazy<string> Root = new(HardhatNode.FindRepositoryRoot);

    /// <summary>Absolute path of the repository root.</summary>
    public static string Path => Root.Value;
}
