using Exchange.Api.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Exchange.Api.Tests.Support;

/// <summary>The API in memory with its own data folder and SQLite database, deleted on dispose.</summary>
public sealed class ApiFactory : WebApplicationFactory<Exchange.Api.Program>
{
    private readonly IMarketReader? _market;
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _clock;

    public ApiFactory(IMarketReader? market, IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        _market = market;
        _clock = clock;
        DataDirectory = Path.Combine(Path.GetTempPath(), "exchange-api-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Api:DataDirectory"] = DataDirectory };
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "exchange.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            if (_market is not null)
            {
                services.Replace(ServiceDescriptor.Singleton(_market));
            }
            if (_clock is not null)
            {
                services.Replace(ServiceDescriptor.Singleton(_clock));
            }
        });
    }

    /// <summary>Serves the API on a loopback port through Kestrel (not the in-memory test server) and returns its address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new Uri(addresses.First());
    }

    /// <summary>Rows in a table, read straight from the database file.</summary>
    public long CountRows(string table)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Runs a statement straight on the database file.</summary>
    public void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Files under the blob folder (pack files, and temporary uploads).</summary>
    public int CountBlobFiles()
    {
        var root = Path.Combine(DataDirectory, "blobs");
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count() : 0;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }
}
