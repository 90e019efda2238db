using System.Diagnostics;
using Exchange.Chain.Bindings;
using Exchange.TestSupport;
using Nethereum.ABI.ABIDeserialisation;

namespace Exchange.Chain.Tests.Bindings;

public sealed class BindingsTests
{
    [Fact]
    [Trait("Lane", "Slow")]
    public async Task Committed_bindings_match_what_the_generator_makes_from_the_artifacts()
    {
        var artifact = Path.Combine(RepositoryRoot.Path, "artifacts", "contracts", "JobMarket.sol", "JobMarket.json");
        if (!File.Exists(artifact))
        {
            Assert.Equal(0, (await RunAsync("npx", "hardhat", "compile", "--quiet")).ExitCode);
        }

        var check = await RunAsync("node", "scripts/gen-bindings.js", "--check");
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void Every_abi_function_event_and_error_has_a_typed_binding()
    {
        var types = typeof(ContractArtifacts).Assembly.GetTypes().Where(t => t.Namespace == "Exchange.Chain.Bindings").ToList();
        string Attr(Type t, string attribute) =>
            t.CustomAttributes.FirstOrDefault(a => a.AttributeType.Name == attribute)?.ConstructorArguments[0].Value as string ?? "";

        foreach (var contract in ContractArtifacts.All)
        {
            var abi = ABIDeserialiserFactory.DeserialiseContractABI(contract.Abi);
            Assert.All(abi.Functions, f => Assert.Contains(types, t => Attr(t, "FunctionAttribute") == f.Name));
            Assert.All(abi.Events, e => Assert.Contains(types, t => Attr(t, "EventAttribute") == e.Name));
            Assert.All(abi.Errors, e => Assert.Contains(types, t => Attr(t, "ErrorAttribute") == e.Name));
            Assert.Matches("^0x[0-9a-f]{200,}$", contract.Bytecode);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
