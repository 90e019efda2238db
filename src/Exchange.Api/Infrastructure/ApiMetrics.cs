using System.Diagnostics.Metrics;

namespace Exchange.Api.Infrastructure;

/// <summary>The API's own instruments, exported at <c>/metrics</c> next to ASP.NET Core's.</summary>
public sealed class ApiMetrics
{
    /// <summary>Name of the meter the instruments belong to.</summary>
    public const string MeterName = "Exchange.Api";

    private readonly Counter<long> _blobsStored;
    private readonly Counter<long> _blobBytesStored;
    private readonly Counter<long> _offersAccepted;
    private readonly Counter<long> _refused;

    /// <summary>Creates the instruments on a meter from the factory.</summary>
    public ApiMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _blobsStored = meter.CreateCounter<long>("exchange.blobs.stored", description: "Blobs newly stored.");
        _blobBytesStored = meter.CreateCounter<long>("exchange.blobs.stored_bytes", "By", "Bytes of blobs newly stored.");
        _offersAccepted = meter.CreateCounter<long>("exchange.offers.accepted", description: "Signed offers accepted into the book.");
        _refused = meter.CreateCounter<long>("exchange.requests.refused", description: "Writes refused, by reason.");
    }

    internal void BlobStored(long bytes)
    {
        _blobsStored.Add(1);
        _blobBytesStored.Add(bytes);
    }

    internal void OfferAccepted() => _offersAccepted.Add(1);

    internal void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
