using Exchange.Node.Provider;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Provider;

public sealed class ProviderEncryptionKeyTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_key_file_that_is_not_a_32_byte_private_key_is_refused_and_left_as_it_is()
    {
        var file = _folder.File(ProviderEncryptionKey.FileName);
        File.WriteAllBytes(file, [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => ProviderEncryptionKey.LoadOrCreate(_folder.Path));

        Assert.Contains(ProviderEncryptionKey.FileName, error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(file));
    }

    [Fact]
    public void The_key_is_created_once_and_read_back_the_same()
    {
        using var created = ProviderEncryptionKey.LoadOrCreate(_folder.Path);
        using var again = ProviderEncryptionKey.LoadOrCreate(_folder.Path);

        Assert.Equal(ProviderEncryptionKey.PublicKeyBytes(created), ProviderEncryptionKey.PublicKeyBytes(again));
        Assert.Equal(32, File.ReadAllBytes(_folder.File(ProviderEncryptionKey.FileName)).Length);
    }
}
