using Exchange.Local.Benchmarks;
using Exchange.Local.Demo;

namespace Exchange.Node.Tests.Benchmarks;

/// <summary>
/// Roles in processes of their own (<c>bench e2e --role-processes</c>) are the honest roles an
/// operator runs: a network that asks for a dishonest one there is refused before anything starts.
/// </summary>
public sealed class RoleProcessOptionsTests
{
    [Fact]
    public void An_honest_network_may_run_its_roles_as_processes()
    {
        Assert.Null(new DemoOptions { RoleProcesses = true, CheatRate = 0 }.Problem());
        Assert.Null(new EndToEndOptions { RoleProcesses = true }.Problem());
    }

    [Fact]
    public void Dishonest_verifiers_are_refused_as_processes_of_their_own()
    {
        var problem = new DemoOptions { RoleProcesses = true, CheatRate = 0, LazyVerifier = true, Verifiers = 3 }.Problem();

        Assert.Equal("verifiers in processes of their own are honest ones: leave out the lazy and copying verifiers", problem);
        Assert.Null(new DemoOptions { CheatRate = 0, LazyVerifier = true, Verifiers = 3 }.Problem());
    }

    [Fact]
    public void Cheating_providers_are_refused_as_processes_of_their_own()
    {
        var problem = new DemoOptions { RoleProcesses = true, Providers = 2, CheatRate = 0.5 }.Problem();

        Assert.Equal("providers in processes of their own are honest ones: give --cheat-rate 0", problem);
    }
}
