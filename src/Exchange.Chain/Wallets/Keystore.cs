using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;
using Nethereum.Signer;

namespace Exchange.Chain.Wallets;

/// <summary>Web3 Secret Storage (version 3, scrypt) keystore files: create, import, read the address, unlock.</summary>
public static class Keystore
{
    /// <summary>The scrypt cost geth and most wallets use: N = 2^18, r = 8, p = 1 (about 256 MiB and a second or two).</summary>
    public const int StandardScryptN = 1 << 18;

    /// <summary>Encrypts <paramref name="key"/> under <paramref name="password"/> as keystore JSON.</summary>
    /// <param name="key">The account's key.</param>
    /// <param name="password">The password; must not be empty.</param>
    /// <param name="scryptN">The scrypt cost, a power of two from 2^10 (fast, for tests) to 2^20; <see cref="StandardScryptN"/> by default.</param>
    public static string Encrypt(EthECKey key, string password, int scryptN = StandardScryptN)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0)
        {
            throw new WalletException("the keystore password is empty; choose a password");
        }

        if (scryptN < 1 << 10 || scryptN > 1 << 20 || (scryptN & (scryptN - 1)) != 0)
        {
            throw new WalletException($"scrypt N must be a power of two from 1024 to 1048576, not {scryptN}");
        }

        var parameters = new ScryptParams { Dklen = 32, N = scryptN, R = 8, P = 1 };
        return new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, key.GetPrivateKeyAsBytes(), key.GetPublicAddress(), parameters);
    }

    /// <summary>Writes a new keystore file; refuses to overwrite an existing one.</summary>
    public static void Write(string path, EthECKey key, string password, int scryptN = StandardScryptN)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var json = Encrypt(key, password, scryptN);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(json);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new WalletException($"{path} already exists; a keystore is never overwritten", e);
        }
    }

    /// <summary>The address a keystore file declares, read without the password.</summary>
    public static string ReadAddress(string path)
    {
        var json = ReadText(path);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("address", out var address)
                && address.ValueKind == JsonValueKind.String
                && Nethereum.Util.AddressUtil.Current.IsValidEthereumAddressHexFormat(Prefixed(address.GetString()!)))
            {
                return Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(Prefixed(address.GetString()!));
            }
        }
        catch (JsonException e)
        {
            throw new WalletException($"{path} is not a keystore: {e.Message}", e);
        }

        throw new WalletException($"{path} is not a keystore: it has no valid \"address\"");
    }

    /// <summary>Unlocks a keystore file.</summary>
    /// <exception cref="WalletException">The file is missing or not a keystore, or the password is wrong.</exception>
    public static EthECKey Decrypt(string path, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var json = ReadText(path);
        var declared = ReadAddress(path);
        RequireCryptoSection(path, json);
        byte[] privateKey;
        try
        {
            privateKey = new KeyStoreService().DecryptKeyStoreFromJson(password, json);
        }
        catch (DecryptionException e)
        {
            throw new WalletException($"wrong password for keystore {path}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nethereum reports malformed keystores as bare Exception, so everything but a wrong password lands here.
            throw new WalletException($"{path} is not a readable Web3 Secret Storage keystore: {e.Message}", e);
        }

        var key = new EthECKey(privateKey, true);
        if (!string.Equals(declared, key.GetPublicAddress(), StringComparison.OrdinalIgnoreCase))
        {
            throw new WalletException($"keystore {path} declares address {declared} but holds the key of {key.GetPublicAddress()}");
        }

        return key;
    }

    private static void RequireCryptoSection(string path, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
        if (version != 3)
        {
            throw new WalletException($"{path} is not a version 3 Web3 Secret Storage keystore");
        }

        if (!(root.TryGetProperty("crypto", out var crypto) || root.TryGetProperty("Crypto", out crypto))
            || crypto.ValueKind != JsonValueKind.Object
            || !crypto.TryGetProperty("kdf", out _) || !crypto.TryGetProperty("ciphertext", out _) || !crypto.TryGetProperty("mac", out _))
        {
            throw new WalletException($"{path} is not a keystore: its \"crypto\" section lacks kdf, ciphertext or mac");
        }
    }

    private static string ReadText(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletException($"cannot read keystore {path}: {e.Message}", e);
        }
    }

    private static string Prefixed(string hex) => hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex : "0x" + hex;
}
