namespace Exchange.Core;

/// <summary>The limits and sizes the core enforces, named in one place.</summary>
public static class CoreLimits
{
    /// <summary>How much of a bad input an error message quotes before cutting it short.</summary>
    public const int MaxQuotedInputLength = 80;

    /// <summary>Most dimensions a tensor may have (NumPy 2's limit).</summary>
    public const int MaxTensorRank = 64;

    /// <summary>
    /// Most rows a task's input may hold along a dynamic batch dimension. A task is priced as one
    /// unit of work, so a task of many rows is many tasks' work at one task's price.
    /// </summary>
    public const int MaxTaskRows = 64;

    /// <summary>Largest <c>.npy</c> header the reader accepts, as NumPy's default <c>max_header_size</c>.</summary>
    public const int MaxNpyHeaderLength = 10_000;

    /// <summary>Deepest JSON nesting the canonicaliser and parsers accept.</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>Largest integer magnitude canonical JSON carries exactly (2^53, the double mantissa).</summary>
    public const long MaxSafeJsonInteger = 9_007_199_254_740_991;

    /// <summary>Bytes in a <c>bytes32</c>, a keccak256 digest, an ABI word.</summary>
    public const int WordLength = 32;

    /// <summary>Bytes in an Ethereum address.</summary>
    public const int AddressLength = 20;

    /// <summary>Basis points in one whole (100 %).</summary>
    public const int BpsDenominator = 10_000;
}
