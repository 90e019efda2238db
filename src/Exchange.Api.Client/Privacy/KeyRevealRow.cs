using Exchange.Api.Client.Blobs;

namespace Exchange.Api.Client.Privacy;

/// <summary>One posted reveal: who signed it and the document.</summary>
/// <param name="Signer">The address that signed the upload.</param>
/// <param name="Expiry">The signature's expiry (part of the signed message).</param>
/// <param name="Signature">The EIP-191 signature over the body's blob address and the expiry (<see cref="UploadSignature.Message"/>).</param>
/// <param name="Body">The reveal document, 0x-prefixed hex.</param>
public sealed record KeyRevealRow(string Signer, ulong Expiry, string Signature, string Body);
