using Exchange.Chain.Deployment;
using Exchange.TestSupport;

namespace Exchange.Chain.Tests.Deployment;

public sealed class DeploymentFileTests : IDisposable
{
    private const string Token = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string Vault = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    private const string Market = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
    private const string Court = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
    private const string Deployer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_written_deployment_reads_back()
    {
        var deployment = new ChainDeployment(31337, Token, Vault, Market, Court, Deployer, 7);
        var path = DeploymentFile.Write(_folder.File("31337.json"), deployment);
        Assert.Equal(_folder.File("31337.json"), path);
        Assert.Equal(deployment, DeploymentFile.Read(_folder.File("31337.json"), 31337));
    }

    [Fact]
    public void A_missing_file_says_to_deploy()
    {
        var error = Assert.Throws<InvalidDataException>(() => DeploymentFile.Read(_folder.File("5.json"), 5));
        Assert.Contains("run `exchange deploy` first", error.Message);
    }

    [Theory]
    [InlineData("not json", "")]
    [InlineData("""{"chainId": 1, "contracts": {}}""", "for chain 1")]
    [InlineData("""{"chainId": 31337}""", "no contracts")]
    [InlineData("""{"chainId": 31337, "contracts": {"ComputeToken": "0x12", "StakingVault": "0x12", "JobMarket": "0x12"}, "deployer": "0x12"}""", "ComputeToken is not an address")]
    [InlineData("""{"chainId": 31337, "contracts": {"ComputeToken": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "StakingVault": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "JobMarket": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}, "deployer": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}""", "AuditCourt is not an address")]
    [InlineData("""{"chainId": "x", "contracts": {}}""", "")]
    public void A_malformed_file_names_itself_and_the_problem(string content, string problem)
    {
        File.WriteAllText(_folder.File("31337.json"), content);
        var error = Assert.Throws<InvalidDataException>(() => DeploymentFile.Read(_folder.File("31337.json"), 31337));
        Assert.StartsWith($"deployment file {_folder.File("31337.json")} is not valid", error.Message);
        Assert.Contains(problem, error.Message);
    }
}
