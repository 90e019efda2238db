using NSec.Cryptography;

namespace Exchange.Node.Provider;

/// <summary>
/// The provider's X25519 key pair for private job payloads. The private key lives in
/// <c>x25519.key</c> in the data folder (raw 32 bytes, owner-only), created once and reused on
/// every restart, so the public key the vault holds stays valid for payloads already encrypted to it.
/// </summary>
public static class ProviderEncryptionKey
{
    /// <summary>The key file's name in the data folder.</summary>
    public const string FileName = "x25519.key";

    /// <summary>Reads the key pair from <paramref name="dataDirectory"/>, creating and saving a new one when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but does not hold a 32-byte X25519 private key.</exception>
    public static Key LoadOrCreate(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        if (File.Exists(path))
        {
            var raw = File.ReadAllBytes(path);
            if (raw.Length != 32 || !Key.TryImport(KeyAgreementAlgorithm.X25519, raw, KeyBlobFormat.RawPrivateKey, out var existing, in parameters))
            {
                throw new InvalidDataException($"{path} is not a 32-byte X25519 private key; move it away to create a new one");
            }

            return existing!;
        }

        Directory.CreateDirectory(dataDirectory);
        var key = Key.Create(KeyAgreementAlgorithm.X25519, parameters);
        var temporary = path + ".tmp";

        // Written under a temporary name first so a crash never leaves a truncated key behind, and
        // created 0600 so the private key is never readable by others, not even for a moment.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(key.Export(KeyBlobFormat.RawPrivateKey));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }

    /// <summary>The raw 32-byte public key of <paramref name="key"/>, as the vault stores it.</summary>
    public static byte[] PublicKeyBytes(Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }
}
