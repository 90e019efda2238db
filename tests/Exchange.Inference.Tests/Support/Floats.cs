using System.Runtime.InteropServices;

namespace Exchange.Inference.Tests.Support;

internal static class Floats
{
    public static byte[] Bytes(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] Of(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();

    public static byte[] Random(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Bytes(Enumerable.Range(0, count).Select(_ => random.NextSingle() * scale).ToArray());
    }
}
