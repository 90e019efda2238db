namespace Exchange.Storage;

/// <summary>One schema script: applied once, in <see cref="Version"/> order, recorded in <c>schema_version</c>.</summary>
/// <param name="Version">The four-digit number the file name starts with (0001-0099 chain, 0100-0199 API, 0200-0299 node).</param>
/// <param name="Name">The file name, e.g. <c>0001_chain_index.sql</c>.</param>
/// <param name="Sql">The script's text (line endings normalised to <c>\n</c>).</param>
/// <param name="Checksum">Lower-case hex SHA-256 of <see cref="Sql"/>, so that an edited, already-applied script is noticed.</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);
