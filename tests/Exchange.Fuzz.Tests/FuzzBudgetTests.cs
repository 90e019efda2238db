namespace Exchange.Fuzz.Tests;

public sealed class FuzzBudgetTests
{
    // Each property asserts it ran its share of the budget, so together they ran at least this many cases.
    [Fact]
    public void The_parser_properties_run_at_least_10000_cases_in_all() =>
        Assert.InRange(FuzzBudget.Total, 10_000, int.MaxValue);
}
