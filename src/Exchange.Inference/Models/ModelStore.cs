using Exchange.Core.Hashing;
using Exchange.Core.Models;

namespace Exchange.Inference.Models;

/// <summary>
/// The local model store: a folder holding ONNX files by keccak256 (<c>files/&lt;hash&gt;.onnx</c>) and
/// model cards by model id (<c>cards/&lt;modelId&gt;.json</c>, canonical JSON). Everything read back
/// is checked against the hash in its name, so a corrupted or edited file is an error, never a
/// different model.
/// </summary>
public sealed class ModelStore
{
    /// <summary>Environment variable that overrides the default store folder.</summary>
    public const string Variable = "EXCHANGE_MODEL_STORE";

    /// <summary>Opens (and creates when missing) the store at <paramref name="root"/>.</summary>
    public ModelStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <summary>$EXCHANGE_MODEL_STORE, else <c>exchange/models</c> under the user's local data folder.</summary>
    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } data ? data : Path.GetTempPath(),
                "exchange",
                "models");

    private string FilesFolder => Path.Combine(Root, "files");

    private string CardsFolder => Path.Combine(Root, "cards");

    /// <summary>Where the ONNX file with this keccak256 is (or would be) kept.</summary>
    public string FilePath(Bytes32 keccak256) => Path.Combine(FilesFolder, Name(keccak256) + ".onnx");

    /// <summary>Whether the store holds the ONNX file with this keccak256.</summary>
    public bool HasFile(Bytes32 keccak256) => File.Exists(FilePath(keccak256));

    /// <summary>Reads an ONNX file, checking its bytes still hash to its name.</summary>
    /// <exception cref="FileNotFoundException">The store does not hold the file.</exception>
    /// <exception cref="InvalidDataException">The file's bytes no longer match its hash.</exception>
    public byte[] ReadFile(Bytes32 keccak256) => ReadChecked(FilePath(keccak256), keccak256, "ONNX file");

    /// <summary>Stores ONNX file bytes under their keccak256 and returns it.</summary>
    public Bytes32 WriteFile(byte[] bytes) => WriteHashed(bytes, FilePath);

    /// <summary>Where the asset (a file a card's preprocessing names, such as a tokenizer vocabulary) with this keccak256 is kept.</summary>
    public string AssetPath(Bytes32 keccak256) => Path.Combine(FilesFolder, Name(keccak256) + ".asset");

    /// <summary>Reads an asset, checking its bytes still hash to its name.</summary>
    /// <exception cref="FileNotFoundException">The store does not hold the asset.</exception>
    /// <exception cref="InvalidDataException">The file's bytes no longer match its hash.</exception>
    public byte[] ReadAsset(Bytes32 keccak256) => ReadChecked(AssetPath(keccak256), keccak256, "asset");

    /// <summary>Stores an asset under its keccak256 and returns it.</summary>
    public Bytes32 WriteAsset(byte[] bytes) => WriteHashed(bytes, AssetPath);

    /// <summary>Stores a card under its model id and returns the id.</summary>
    public Bytes32 WriteCard(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var bytes = card.ToCanonicalJson();
        var id = Keccak.Hash(bytes);
        var path = Path.Combine(CardsFolder, Name(id) + ".json");
        if (!File.Exists(path))
        {
            WriteAtomically(path, bytes);
        }

        return id;
    }

    /// <summary>Every card in the store, each checked against the id in its file name.</summary>
    /// <exception cref="InvalidDataException">A card file is not the card its name says.</exception>
    public IReadOnlyList<ModelCard> ReadCards()
    {
        if (!Directory.Exists(CardsFolder))
        {
            return [];
        }

        var cards = new List<ModelCard>();
        foreach (var path in Directory.EnumerateFiles(CardsFolder, "*.json").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(path);
            var expected = "0x" + Path.GetFileNameWithoutExtension(path);
            if (Keccak.Hash(bytes).ToString() != expected)
            {
                throw new InvalidDataException($"Model card {path} does not hash to the id in its name: the store is corrupted; delete the file.");
            }

            cards.Add(ModelCard.Parse(bytes));
        }

        return cards;
    }

    private static string Name(Bytes32 hash) => hash.ToString()[2..];

    private byte[] ReadChecked(string path, Bytes32 keccak256, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model store {Root} holds no {what} {keccak256}.", path);
        }

        var bytes = File.ReadAllBytes(path);
        var actual = Keccak.Hash(bytes);
        return actual == keccak256
            ? bytes
            : throw new InvalidDataException($"Model store file {path} hashes to {actual}, not {keccak256}: the store is corrupted; delete the file and add the model again.");
    }

    private static Bytes32 WriteHashed(byte[] bytes, Func<Bytes32, string> pathOf)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var hash = Keccak.Hash(bytes);
        var path = pathOf(hash);
        if (!File.Exists(path))
        {
            WriteAtomically(path, bytes);
        }

        return hash;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
