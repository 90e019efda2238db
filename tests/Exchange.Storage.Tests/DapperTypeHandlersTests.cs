using Dapper;
using Exchange.TestSupport;

namespace Exchange.Storage.Tests;

public sealed class DapperTypeHandlersTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteConnectionFactory NewDatabase() => new(_folder.File("test.db"));

    [Fact]
    public async Task BigInteger_round_trips_as_decimal_text()
    {
        await using var connection = await NewDatabase().OpenAsync();
        var big = System.Numerics.BigInteger.Pow(2, 256) - 1;
        await connection.ExecuteAsync("CREATE TABLE m (amount TEXT NOT NULL)");
        await connection.ExecuteAsync("INSERT INTO m VALUES (@big)", new { big });
        Assert.Equal(big.ToString(), await connection.ExecuteScalarAsync<string>("SELECT amount FROM m"));
        Assert.Equal(big, (await connection.QueryAsync<System.Numerics.BigInteger>("SELECT amount FROM m")).Single());
    }
}
