using Exchange.Api.Blobs;
using Exchange.Api.Infrastructure;


var builder = WebApplication.CreateBuilder(args);

builder.AddApiDefaults();
builder.AddExchangeServices();

var app = builder.Build();

app.UseApiDefaults();
app.MapBlobsApi();

app.MapOperationsApi();

app.Run();

/// <summary>The API's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
