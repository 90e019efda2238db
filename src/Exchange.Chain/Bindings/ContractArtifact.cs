namespace Exchange.Chain.Bindings;

/// <summary>One compiled contract.</summary>
/// <param name="Name">The contract's name (<c>JobMarket</c>).</param>
/// <param name="Abi">Its ABI as a JSON array.</param>
/// <param name="Bytecode">Its creation bytecode, 0x hex.</param>
public sealed record ContractArtifact(string Name, string Abi, string Bytecode);
