using System.ComponentModel.DataAnnotations;

namespace Exchange.Node.Provider;

/// <summary>A provider's offer, stake, batching and (for tests and the demo) cheat mode. Section <c>Provider</c>.</summary>
public sealed class ProviderOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Provider";

    /// <summary>Longest turnaround an offer may ask for: 30 days.</summary>
    public const int MaxMinTurnaroundSeconds = 30 * 24 * 3600;

    /// <summary>The model offered, by name or id. Default <c>resnet18</c>.</summary>
    [Required]
    public string Model { get; set; } = "resnet18";

    /// <summary>Price per task in the token's smallest unit, decimal. Default 10^15 (0.001 token).</summary>
    [Required]
    [RegularExpression("^[1-9][0-9]{0,76}$", ErrorMessage = "UnitPrice must be a positive whole number of the token's smallest unit")]
    public string UnitPrice { get; set; } = "1000000000000000";

    /// <summary>Largest job the offer accepts, in tasks. Default 64.</summary>
    [Range(1, 100_000)]
    public int MaxTasks { get; set; } = 64;

    /// <summary>
    /// Seconds the provider needs at least per job, signed into the offer as <c>minTurnaround</c>: the
    /// market refuses a job due sooner after its creation. Default 300.
    /// </summary>
    [Range(0, MaxMinTurnaroundSeconds)]
    public int MinTurnaroundSeconds { get; set; } = 300;

    /// <summary>Region named in the offer, at most 32 bytes of UTF-8. Default <c>local</c>.</summary>
    [Required]
    [StringLength(32)]
    public string Region { get; set; } = "local";

    /// <summary>How long a signed offer is valid; it is re-signed before it runs out. Default 86400 seconds.</summary>
    [Range(60, 365 * 24 * 3600)]
    public int OfferLifetimeSeconds { get; set; } = 86_400;

    /// <summary>Stake to hold in the vault, smallest unit, decimal; topped up at start. Default 10^22 (10,000 tokens).</summary>
    [Required]
    [RegularExpression("^[0-9]{1,78}$", ErrorMessage = "Stake must be a whole number of the token's smallest unit")]
    public string Stake { get; set; } = "10000000000000000000000";

    /// <summary>
    /// Free collateral kept locked in the market, in jobs of <see cref="MaxTasks"/> tasks at
    /// <see cref="UnitPrice"/>: locked at start and topped up whenever less than half of it is
    /// free. Jobs take their collateral from it (the market never locks stake for a job), and the
    /// API's offer book refuses an offer it does not back. Default 4.
    /// </summary>
    [Range(1, 10_000)]
    public int CollateralJobs { get; set; } = 4;

    /// <summary>Tasks handed to the inference engine at once. Default 8.</summary>
    [Range(1, 1_024)]
    public int BatchSize { get; set; } = 8;

    /// <summary>
    /// Memory for the inputs that checking a job fetched, decrypted and parsed, kept for computing
    /// it so that they are not fetched and decrypted twice; inputs beyond it are fetched again to
    /// compute. 0 keeps none. Default 256 MiB.
    /// </summary>
    [Range(0, 1 << 20)]
    public int InputCacheMegabytes { get; set; } = 256;

    /// <summary>Jobs whose results go into one <c>submitResults</c> transaction at most. Default 16.</summary>
    [Range(1, 256)]
    public int SubmitBatchSize { get; set; } = 16;

    /// <summary>Seconds between withdrawals of the market balance to the provider's address; 0 never. Default 0.</summary>
    [Range(0, 7 * 24 * 3600)]
    public int WithdrawIntervalSeconds { get; set; }

    /// <summary>Cheat mode (tests and demo only). Default none.</summary>
    public CheatMode Cheat { get; set; } = CheatMode.None;

    /// <summary>Share of a job's tasks falsified when cheating, in [0, 1]. Default 0.</summary>
    [Range(0.0, 1.0)]
    public double CheatRate { get; set; }

    /// <summary>Seed of the cheat's choices. Default 1.</summary>
    public int CheatSeed { get; set; } = 1;

    /// <summary>When not empty, only the jobs of these client addresses are falsified (a canary's provider cheats its own client only). Default empty: every job.</summary>
    public IList<string> CheatClients { get; init; } = [];

    /// <summary>
    /// For <see cref="CheatMode.OtherModel"/>: a model in the store (same outputs) whose results are
    /// published instead. Unset: the real model's cheaper stand-in (<see cref="Models.ModelCatalog.CheaperStandIn"/>).
    /// </summary>
    public string? CheatModel { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Cheat != CheatMode.None && CheatRate <= 0)
        {
            yield return new ValidationResult($"Cheat {Cheat} needs a CheatRate above 0", [nameof(CheatRate)]);
        }

        if (CheatClients.Count > 0 && (Cheat == CheatMode.None || CheatClients.Any(c => !Nethereum.Util.AddressUtil.Current.IsValidEthereumAddressHexFormat(c))))
        {
            yield return new ValidationResult("CheatClients names client addresses (0x…) for a cheat mode other than none", [nameof(CheatClients)]);
        }

        if (Cheat == CheatMode.None && CheatRate > 0)
        {
            yield return new ValidationResult("CheatRate is set but Cheat is none", [nameof(Cheat)]);
        }

        if (CheatModel is not null && (Cheat != CheatMode.OtherModel || string.IsNullOrWhiteSpace(CheatModel)))
        {
            yield return new ValidationResult("CheatModel names a model for Cheat other-model only, and must not be blank", [nameof(CheatModel)]);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(Region) > 32)
        {
            yield return new ValidationResult("Region must be at most 32 bytes of UTF-8", [nameof(Region)]);
        }
    }
}
