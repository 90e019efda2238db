using System.Text;

namespace Exchange.TestSupport.Fuzzing;

/// <summary>How a failing input is shown: its length, its first bytes in hex and as text, so it can be pasted into a regression test.</summary>
public static class FuzzInput
{
    private const int ShownBytes = 512;

    public static string Show(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, ShownBytes));
        var text = new string(Encoding.Latin1.GetString(head).Select(c => c is >= ' ' and < '\x7f' ? c : '.').ToArray());
        return $"{bytes.Length} bytes: {Convert.ToHexString(head)} | {text}";
    }
}
