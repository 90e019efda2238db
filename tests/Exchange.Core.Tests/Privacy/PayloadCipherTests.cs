using System.Security.Cryptography;
using Exchange.Core.Privacy;

namespace Exchange.Core.Tests.Privacy;

public sealed class PayloadCipherTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(150_656)]
    public void A_payload_decrypts_under_its_key_to_its_plaintext(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var sealedPayload = PayloadCipher.Encrypt(Key, plaintext);
        Assert.Equal(length + PayloadCipher.Overhead, sealedPayload.Length);
        Assert.Equal(PayloadCipher.Version, sealedPayload[0]);
        Assert.True(PayloadCipher.TryDecrypt(Key, sealedPayload, out var opened));
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void Every_encryption_draws_a_new_nonce()
    {
        var plaintext = new byte[64];
        var nonces = Enumerable.Range(0, 200).Select(_ => Convert.ToHexString(PayloadCipher.Encrypt(Key, plaintext).AsSpan(1, PayloadCipher.NonceLength))).ToHashSet();
        Assert.Equal(200, nonces.Count);
    }

    [Fact]
    public void A_wrong_key_a_changed_byte_or_an_unknown_version_does_not_decrypt()
    {
        var sealedPayload = PayloadCipher.Encrypt(Key, "tensor"u8);
        var otherKey = (byte[])Key.Clone();
        otherKey[0] ^= 1;
        Assert.False(PayloadCipher.TryDecrypt(otherKey, sealedPayload, out _));
        for (var i = 0; i < sealedPayload.Length; i++)
        {
            var changed = (byte[])sealedPayload.Clone();
            changed[i] ^= 0x40;
            Assert.False(PayloadCipher.TryDecrypt(Key, changed, out var plaintext));
            Assert.Empty(plaintext);
        }

        Assert.False(PayloadCipher.TryDecrypt(Key, sealedPayload.AsSpan(0, PayloadCipher.Overhead - 1), out _));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => PayloadCipher.Encrypt(new byte[16], "x"u8));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }
}
