using System.Text;
using CsCheck;

namespace Exchange.TestSupport.Fuzzing;

/// <summary>
/// Inputs made by mutating valid files a few times, as a mutation fuzzer does: most stay close
/// enough to the format to get past its first checks and reach the deeper ones.
/// </summary>
public static class ByteMutations
{
    // Bytes that sit on the boundaries parsers test: sign bits, quotes and brackets, digits, magic starts.
    private static readonly byte[][] Interesting =
    [
        [0x00], [0xFF], [0x7F], [0x80], [0x93], [(byte)'"'], [(byte)'\''], [(byte)'{'], [(byte)'}'], [(byte)'['], [(byte)']'],
        [(byte)'('], [(byte)')'], [(byte)','], [(byte)':'], [(byte)'-'], [(byte)'\\'], [(byte)'\n'],
        Encoding.ASCII.GetBytes("99999999999999999999999"), Encoding.ASCII.GetBytes("-1"), Encoding.ASCII.GetBytes("1e309"),
        Encoding.ASCII.GetBytes("9007199254740993"), Encoding.ASCII.GetBytes("0x"), Encoding.ASCII.GetBytes("null"),
        Encoding.ASCII.GetBytes("\\ud800"), [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
    ];

    private enum Kind
    {
        Set,
        Insert,
        Delete,
        Truncate,
        Duplicate,
        Splice,
    }

    /// <summary>One of <paramref name="seeds"/> with one to <paramref name="maxMutations"/> mutations applied.</summary>
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds, int maxMutations = 6)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var mutation = Gen.Select(Gen.Enum<Kind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 8]);
        return Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[1, maxMutations], (seed, steps) =>
        {
            var bytes = new List<byte>(seeds[seed]);
            foreach (var (kind, at, amount, payload) in steps)
            {
                Apply(bytes, kind, at, amount, payload);
            }

            return bytes.ToArray();
        });
    }

    private static void Apply(List<byte> bytes, Kind kind, int at, int amount, byte[] payload)
    {
        var position = bytes.Count == 0 ? 0 : at % (bytes.Count + 1);
        var length = Math.Min(bytes.Count - position, 1 + (amount % 16));
        switch (kind)
        {
            case Kind.Set when position < bytes.Count:
                bytes[position] = payload[0];
                break;
            case Kind.Insert:
                bytes.InsertRange(position, payload);
                break;
            case Kind.Delete when length > 0:
                bytes.RemoveRange(position, length);
                break;
            case Kind.Truncate:
                bytes.RemoveRange(position, bytes.Count - position);
                break;
            case Kind.Duplicate when length > 0:
                bytes.InsertRange(position, bytes.GetRange(position, length));
                break;
            case Kind.Splice:
                var token = Interesting[amount % Interesting.Length];
                bytes.RemoveRange(position, Math.Min(bytes.Count - position, token.Length));
                bytes.InsertRange(position, token);
                break;
        }
    }
}
