using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Nethereum.Signer;

namespace Exchange.Chain.Tests.Wallets;

public sealed class WalletTests : IDisposable
{
    private const int FastScrypt = 1 << 10;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    // Addresses from Hardhat's documentation of its default accounts.
    [InlineData(0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    [InlineData(1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    [InlineData(19, "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199")]
    public void Dev_accounts_follow_the_Hardhat_mnemonic(int index, string address)
    {
        Assert.Equal(address, DevAccounts.Address(index));
    }

    [Fact]
    public void Dev_account_index_must_not_be_negative()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DevAccounts.Key(-1));
    }

    [Fact]
    public void A_keystore_round_trips_and_declares_its_address()
    {
        var key = EthECKey.GenerateKey();
        var path = _folder.File("a.json");
        Keystore.Write(path, key, "correct horse", FastScrypt);

        Assert.Equal(key.GetPublicAddress(), Keystore.ReadAddress(path));
        Assert.Equal(key.GetPrivateKey(), Keystore.Decrypt(path, "correct horse").GetPrivateKey());
    }

    [Fact]
    public void A_wrong_password_is_a_clear_error()
    {
        var path = _folder.File("a.json");
        Keystore.Write(path, EthECKey.GenerateKey(), "right", FastScrypt);
        var error = Assert.Throws<WalletException>(() => Keystore.Decrypt(path, "wrong"));
        Assert.Equal($"wrong password for keystore {path}", error.Message);
    }

    [Fact]
    public void An_existing_keystore_is_never_overwritten()
    {
        var path = _folder.File("a.json");
        var first = EthECKey.GenerateKey();
        Keystore.Write(path, first, "pw", FastScrypt);
        Assert.Throws<WalletException>(() => Keystore.Write(path, EthECKey.GenerateKey(), "pw", FastScrypt));
        Assert.Equal(first.GetPublicAddress(), Keystore.ReadAddress(path));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"address\":\"f39fd6e51aad88f6f4ce6ab8827279cfffb92266\"}")]
    public void A_file_that_is_not_a_keystore_is_a_clear_error(string content)
    {
        var path = _folder.File("bad.json");
        File.WriteAllText(path, content);
        var error = Assert.Throws<WalletException>(() => Keystore.Decrypt(path, "pw"));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_keystore_is_a_clear_error()
    {
        var error = Assert.Throws<WalletException>(() => Keystore.ReadAddress(_folder.File("missing.json")));
        Assert.StartsWith("cannot read keystore", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    public void Empty_passwords_and_odd_scrypt_costs_are_refused(string password)
    {
        var scrypt = password.Length == 0 ? FastScrypt : 1000;
        Assert.Throws<WalletException>(() => Keystore.Encrypt(EthECKey.GenerateKey(), password, scrypt));
    }
}
