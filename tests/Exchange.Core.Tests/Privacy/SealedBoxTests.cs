using Exchange.Core.Hashing;
using Exchange.Core.Privacy;
using NSec.Cryptography;

namespace Exchange.Core.Tests.Privacy;

public sealed class SealedBoxTests : IDisposable
{
    private readonly Key _recipient = Key.Create(KeyAgreementAlgorithm.X25519);
    private readonly Key _other = Key.Create(KeyAgreementAlgorithm.X25519);

    private byte[] RecipientPublic => _recipient.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    [Fact]
    public void Only_the_recipient_opens_a_box_and_only_for_its_context()
    {
        var box = SealedBox.Seal(RecipientPublic, "job-secret 1"u8, "secret"u8);
        Assert.Equal(SealedBox.Overhead + 6, box.Length);
        Assert.True(SealedBox.TryOpen(_recipient, "job-secret 1"u8, box, out var message));
        Assert.Equal("secret"u8.ToArray(), message);
        Assert.False(SealedBox.TryOpen(_other, "job-secret 1"u8, box, out _));
        Assert.False(SealedBox.TryOpen(_recipient, "job-secret 2"u8, box, out _));
    }

    [Fact]
    public void Each_box_has_its_own_ephemeral_key()
    {
        var first = SealedBox.Seal(RecipientPublic, "c"u8, "secret"u8);
        var second = SealedBox.Seal(RecipientPublic, "c"u8, "secret"u8);
        Assert.NotEqual(first.AsSpan(0, 32).ToArray(), second.AsSpan(0, 32).ToArray());
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_changed_or_short_box_does_not_open()
    {
        var box = SealedBox.Seal(RecipientPublic, "c"u8, "secret"u8);
        for (var i = 0; i < box.Length; i++)
        {
            var changed = (byte[])box.Clone();
            changed[i] ^= 0x01;
            Assert.False(SealedBox.TryOpen(_recipient, "c"u8, changed, out _));
        }

        Assert.False(SealedBox.TryOpen(_recipient, "c"u8, box.AsSpan(0, SealedBox.Overhead - 1), out _));
    }

    [Fact]
    public void A_low_order_recipient_key_is_refused_without_quoting_the_message()
    {
        // The all-zero point makes every shared secret zero: libsodium refuses the agreement.
        var error = Assert.Throws<ArgumentException>(() => SealedBox.Seal(new byte[32], "c"u8, "do-not-print"u8));
        Assert.DoesNotContain("do-not-print", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SealedBox.Seal(new byte[31], "c"u8, "x"u8));
    }

    [Fact]
    public void A_task_key_sealed_for_one_task_or_manifest_does_not_open_as_another()
    {
        var manifest = Keccak.Hash("m"u8);
        var task = new TaskCipher(3, new byte[32]);
        var box = task.SealTo(RecipientPublic, manifest);
        Assert.True(SealedBox.TryOpen(_recipient, JobPrivacy.TaskKeyContext(manifest, 3), box, out _));
        Assert.False(SealedBox.TryOpen(_recipient, JobPrivacy.TaskKeyContext(manifest, 4), box, out _));
        Assert.False(SealedBox.TryOpen(_recipient, JobPrivacy.TaskKeyContext(Keccak.Hash("n"u8), 3), box, out _));
    }

    public void Dispose()
    {
        _recipient.Dispose();
        _other.Dispose();
    }
}
