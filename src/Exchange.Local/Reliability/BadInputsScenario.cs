using System.Globalization;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Exchange.Api.Client.Blobs;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Inference.Models;
using Exchange.Node.Offers;
using Nethereum.Web3;

namespace Exchange.Local.Reliability;

/// <summary>
/// Bad inputs through the three doors a user has (the CLI, the exchange API, the chain via the
/// CLI's transactions): each must be refused with one clear line or a ProblemDetails body, exit
/// non-zero, and leave the world as it was (<see cref="WorldState"/> before and after each).
/// </summary>
internal sealed class BadInputsScenario(Operator op, Web3 web3, ChainDeployment deployment, string apiData, string folder)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "bad-inputs";

    /// <summary>The client account (funded, with a market deposit) that gives the bad inputs.</summary>
    public const int Client = 5;

    /// <summary>An account with ether but no token and no deposit.</summary>
    private const int Stranger = 9;

    /// <summary>The image model whose inputs the tensor and image cases break.</summary>
    private const string ImageModel = BuiltInModels.ResNetPreprocess;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The accounts whose token balances must not move, and that hold the whole supply: the deployer and every role's, the concurrent clients' included.</summary>
    public static IReadOnlyList<string> Accounts { get; } = [.. Enumerable.Range(0, ConcurrentClientsScenario.FirstClient + ConcurrentClientsScenario.Clients).Select(i => DevAccounts.Address(i))];

    /// <summary>Gives every bad input, one after the other, and judges each.</summary>
    public async Task<IReadOnlyList<BadInputResult>> RunAsync(HttpClient api, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var results = new List<BadInputResult>();
        foreach (var input in Inputs(api))
        {
            var before = await WorldState.ReadAsync(web3, deployment, Accounts, apiData, api, cancellationToken).ConfigureAwait(false);
            Answer answer;
            try
            {
                answer = await input.Give(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The API dropped the connection or hung: a crash from the caller's side.
                answer = new Answer(false, true, false, $"{e.GetType().Name}: {e.Message}");
            }

            var after = await WorldState.ReadAsync(web3, deployment, Accounts, apiData, api, cancellationToken).ConfigureAwait(false);
            var changed = after.ChangesSince(before);
            var outcome = answer.Crashed ? "crashed" : !answer.Refused || changed is not null ? "accepted" : answer.Clear ? "refused" : "unclear";
            results.Add(new BadInputResult(input.Surface, input.Name, outcome, Shorten(answer.Text), changed));
        }

        return results;
    }

    private IEnumerable<BadInput> Inputs(HttpClient api)
    {
        var spec = BuiltInModels.Find(ImageModel)!.Card.Inputs[0];
        var shape = spec.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var header = NpyBytes.Header(shape);

        // .npy files, given to `client submit` as a task of the image model.
        foreach (var (name, bytes) in new (string, byte[])[]
        {
            ("npy-empty-file", []),
            ("npy-bad-magic", [.. Encoding.ASCII.GetBytes("NOTNUMPY"), .. NpyBytes.Floats(count, 0.5f)]),
            ("npy-cut-in-preamble", NpyBytes.PreambleOnly()),
            ("npy-header-longer-than-file", NpyBytes.File(header, [])[..40]),
            ("npy-header-not-a-dict", NpyBytes.File("[1, 2, 3]", NpyBytes.Floats(count, 0.5f))),
            ("npy-header-unterminated", NpyBytes.File(header.TrimEnd('}', ' '), NpyBytes.Floats(count, 0.5f))),
            ("npy-unknown-version", NpyBytes.File(header, NpyBytes.Floats(count, 0.5f), major: 9)),
            ("npy-complex-dtype", NpyBytes.File(NpyBytes.Header(shape, "<c16"), new byte[count * 16])),
            ("npy-object-dtype", NpyBytes.File(NpyBytes.Header(shape, "|O"), new byte[count * 8])),
            ("npy-fortran-order", NpyBytes.File(NpyBytes.Header(shape, fortranOrder: true), NpyBytes.Floats(count, 0.5f))),
            ("npy-negative-dimension", NpyBytes.File(NpyBytes.Header([.. shape[..^1], -224]), NpyBytes.Floats(count, 0.5f))),
            ("npy-shape-overflowing-int64", NpyBytes.File(NpyBytes.Header([1L << 40, 1L << 40, 1L << 40]), NpyBytes.Floats(16, 0.5f))),
            ("npy-data-shorter-than-shape", NpyBytes.File(header, NpyBytes.Floats(count - 1, 0.5f))),
            ("npy-data-longer-than-shape", NpyBytes.File(header, NpyBytes.Floats(count + 7, 0.5f))),
            ("npy-wrong-shape-for-model", NpyBytes.File(NpyBytes.Header([.. shape[..^2], 10, 10]), NpyBytes.Floats(count / shape[^1] / shape[^2] * 100, 0.5f))),
            ("npy-wrong-rank-for-model", NpyBytes.File(NpyBytes.Header([count]), NpyBytes.Floats(count, 0.5f))),
            ("npy-nan", NpyBytes.File(header, NpyBytes.Floats(count, float.NaN))),
            ("npy-infinity", NpyBytes.File(header, NpyBytes.Floats(count, float.PositiveInfinity))),
            ("npy-zero-rows", NpyBytes.File(NpyBytes.Header([0, .. shape[1..]]), [])),
        })
        {
            yield return Submit(name, name + ".npy", bytes);
        }

        // Images: a decompression bomb by its header alone, a cut file, bytes that are no image.
        var bomb = PngBytes.Claiming(30_000, 30_000);
        yield return Submit("png-30000x30000-header", "bomb.png", bomb);
        yield return Cli("infer-png-30000x30000-header", ["infer", "--model", ImageModel, "--input", Write("bomb-infer.png", bomb), "--out", Path.Combine(folder, "infer-out")]);
        yield return Submit("png-cut-short", "cut.png", PngBytes.Claiming(224, 224)[..20]);
        yield return Submit("jpeg-not-an-image", "noise.jpg", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);
        yield return Submit("png-empty-file", "empty.png", []);

        // Text inputs of the text model.
        yield return Cli("text-file-without-text", ["client", "submit", "--dev-account", Number(Client), "--model", BuiltInModels.MiniLm, "--input", Write("blank.txt", "\n\n  \n"u8.ToArray()), "--json"]);
        yield return Cli("jsonl-malformed-line", ["client", "submit", "--dev-account", Number(Client), "--model", BuiltInModels.MiniLm, "--input", Write("bad.jsonl", "{\"text\": \"fine\"}\n{\"text\": \n"u8.ToArray()), "--json"]);

        // Command lines.
        var good = Write("good.npy", NpyBytes.File(header, NpyBytes.Floats(count, 0.5f)));
        yield return Cli("unknown-model", ["client", "submit", "--dev-account", Number(Client), "--model", "no-such-model", "--input", good, "--json"]);
        yield return Cli("missing-input-file", ["client", "submit", "--dev-account", Number(Client), "--model", ImageModel, "--input", Path.Combine(folder, "absent.npy"), "--json"]);
        yield return Cli("deadline-too-short", ["client", "submit", "--dev-account", Number(Client), "--model", ImageModel, "--input", good, "--deadline", "3", "--json"]);
        yield return Cli("transfer-to-malformed-address", ["token", "transfer", "--dev-account", Number(Client), "--to", "0x12345", "--amount", "1"]);
        yield return Cli("transfer-negative-amount", ["token", "transfer", "--dev-account", Number(Client), "--to", DevAccounts.Address(1), "--amount", "-5"]);
        yield return Cli("transfer-amount-not-a-number", ["token", "transfer", "--dev-account", Number(Client), "--to", DevAccounts.Address(1), "--amount", "lots"]);
        yield return Cli("transfer-amount-too-precise", ["token", "transfer", "--dev-account", Number(Client), "--to", DevAccounts.Address(1), "--amount", "0.0000000000000000001"]);
        yield return Cli("balance-of-malformed-address", ["token", "balance", "--address", "0xZZ00000000000000000000000000000000000000"]);
        yield return Cli("rpc-not-a-url", ["token", "balance", "--dev-account", Number(Client), "--rpc", "not a url"]);
        yield return Cli("rpc-variable-not-a-url", ["token", "balance", "--dev-account", Number(Client)], new Dictionary<string, string> { ["EXCHANGE_RPC"] = "http://127.0.0.1:99999" });
        yield return Cli("api-variable-not-a-url", ["client", "jobs", "--dev-account", Number(Client)], new Dictionary<string, string> { ["EXCHANGE_API"] = "not a url" });
        yield return Cli("deploy-params-malformed-json", ["deploy", "--dev-account", "0", "--params", Write("params.json", "{\"epochLength\": 30,"u8.ToArray()), "--deployment", Path.Combine(folder, "other-deployment.json")]);
        yield return Cli("model-add-card-incomplete", ["model", "add", Write("garbage.onnx", [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 7 % 256))]), "--card", Write("card.json", "{\"name\": \"x\"}"u8.ToArray()), "--models", Path.Combine(folder, "models")]);
        yield return Cli("model-add-card-malformed-json", ["model", "add", Write("empty.onnx", []), "--card", Write("broken-card.json", "{\"name\": "u8.ToArray()), "--models", Path.Combine(folder, "models")]);
        yield return Cli("wallet-import-key-not-hex", ["wallet", "import", "--private-key-file", Write("key.txt", "this is not a private key\n"u8.ToArray()), "--out", Path.Combine(folder, "imported.json")],
            new Dictionary<string, string> { ["EXCHANGE_PASSWORD"] = "reliability" });

        // Transactions the chain refuses.
        yield return Cli("transfer-beyond-balance", ["token", "transfer", "--dev-account", Number(Client), "--to", DevAccounts.Address(1), "--amount", "1000000000"], surface: "chain");
        yield return Cli("mint-by-non-owner", ["token", "mint", "--dev-account", Number(Client), "--to", DevAccounts.Address(Client), "--amount", "1000"], surface: "chain");
        yield return Cli("transfer-to-zero-address", ["token", "transfer", "--dev-account", Number(Client), "--to", "0x0000000000000000000000000000000000000000", "--amount", "1"], surface: "chain");
        yield return Cli("withdraw-beyond-deposit", ["client", "withdraw", "--dev-account", Number(Client), "1000000000"], surface: "chain");
        yield return Cli("deposit-without-tokens", ["client", "deposit", "--dev-account", Number(Stranger), "10"], surface: "chain");
        yield return Cli("expire-unknown-job", ["client", "expire", "--dev-account", Number(Client), "999999"], surface: "chain");
        yield return Cli("audit-unknown-job", ["client", "audit", "--dev-account", Number(Client), "999999"], surface: "chain");

        // The API's blob store: signatures, sizes, bodies.
        var body = "a blob the campaign never manages to store"u8.ToArray();
        var hash = BlobAddress.Of(body).ToString();
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var client = DevAccounts.Key(Client);
        var clientAddress = DevAccounts.Address(Client);
        string Sign(string blobHash, ulong expiry) => UploadSignature.Sign(blobHash, expiry, client);
        yield return Upload(api, "upload-unsigned", body, new());
        yield return Upload(api, "upload-signer-malformed", body, Headers("0x1234", now + 600, Sign(hash, now + 600)));
        yield return Upload(api, "upload-expiry-not-a-number", body, new() { [UploadSignature.SignerHeader] = clientAddress, [UploadSignature.ExpiryHeader] = "tomorrow", [UploadSignature.SignatureHeader] = Sign(hash, now + 600) });
        yield return Upload(api, "upload-signature-expired", body, Headers(clientAddress, now - 60, Sign(hash, now - 60)));
        yield return Upload(api, "upload-expiry-years-ahead", body, Headers(clientAddress, now + 86_400 * 365, Sign(hash, now + 86_400 * 365)));
        yield return Upload(api, "upload-signature-garbage", body, Headers(clientAddress, now + 600, "0x" + new string('7', 130)));
        yield return Upload(api, "upload-signature-truncated", body, Headers(clientAddress, now + 600, Sign(hash, now + 600)[..50]));
        var other = "another body, the one the signature was made for"u8.ToArray();
        yield return Upload(api, "upload-signature-replayed-on-other-body", body, Headers(clientAddress, now + 600, Sign(BlobAddress.Of(other).ToString(), now + 600)));
        yield return Upload(api, "upload-signature-replayed-other-signer", body, Headers(DevAccounts.Address(1), now + 600, Sign(hash, now + 600)));
        yield return Upload(api, "upload-expected-hash-mismatch", body, new(Headers(clientAddress, now + 600, Sign(hash, now + 600))) { [UploadSignature.ExpectedHashHeader] = BlobAddress.Of(other).ToString() });
        yield return Upload(api, "upload-expected-hash-malformed", body, new(Headers(clientAddress, now + 600, Sign(hash, now + 600))) { [UploadSignature.ExpectedHashHeader] = "0xabc" });
        yield return Upload(api, "upload-unfunded-signer", body, Headers(DevAccounts.Address(Stranger), now + 600, UploadSignature.Sign(hash, now + 600, DevAccounts.Key(Stranger))));
        var empty = BlobAddress.Of([]).ToString();
        yield return Upload(api, "upload-empty-body", [], Headers(clientAddress, now + 600, Sign(empty, now + 600)));
        var oversized = new byte[ReliabilityCampaign.MaxBlobBytes + 1];
        var oversizedHash = BlobAddress.Of(oversized).ToString();
        yield return Upload(api, "upload-oversized", oversized, Headers(clientAddress, now + 600, Sign(oversizedHash, now + 600)));
        yield return Http(api, "get-blob-malformed-address", () => new HttpRequestMessage(HttpMethod.Get, "blobs/not-a-hash"));

        // Batches: the signature binds every blob and its place; the sizes must match the body.
        byte[][] pair = [body, other];
        var pairDigest = BlobBatch.Digest([.. pair.Select(b => BlobAddress.Of(b))]);
        string SignBatch(Bytes32 digest, int count) => UploadSignature.SignBatch(digest, count, now + 600, client);
        yield return Batch(api, "batch-upload-blobs-swapped", [other, body], clientAddress, now + 600, SignBatch(pairDigest, 2));
        yield return Batch(api, "batch-upload-count-not-signed", pair, clientAddress, now + 600, SignBatch(pairDigest, 3));
        yield return Batch(api, "batch-upload-sizes-short-of-body", pair, clientAddress, now + 600, SignBatch(pairDigest, 2), $"{body.Length},{other.Length - 1}");
        yield return Batch(api, "batch-upload-sizes-malformed", pair, clientAddress, now + 600, SignBatch(pairDigest, 2), "many,more");
        yield return Batch(api, "batch-upload-unfunded-signer", pair, DevAccounts.Address(Stranger), now + 600, UploadSignature.SignBatch(pairDigest, 2, now + 600, DevAccounts.Key(Stranger)));
        yield return Http(api, "batch-fetch-malformed-hash", () => Json("blobs/fetch", "{\"hashes\": [\"0x1234\"]}"));
        yield return Http(api, "batch-fetch-unknown-blob", () => Json("blobs/fetch", JsonSerializer.Serialize(new { hashes = new[] { hash } }, Web)));

        // The API's offer book: bodies and signatures.
        yield return Http(api, "offer-body-not-json", () => Json("offers/", "{\"provider\": "));
        yield return Http(api, "offer-body-empty", () => Json("offers/", ""));
        yield return Http(api, "offer-body-wrong-types", () => Json("offers/", "{\"provider\": 7, \"maxTasks\": \"many\", \"expiry\": -1}"));
        var market = Eip712Domain.ForExchange(deployment.ChainId, deployment.JobMarket);
        var modelId = BuiltInModels.Find(ImageModel)!.ModelId;
        var provider = DevAccounts.Key(1);
        var offer = new Offer(DevAccounts.Address(1), modelId, BigInteger.Pow(10, 15), 64, 60, now + 3_600, Region.Encode("local"), now);
        var signed = SignedOffer.Sign(offer, market, provider.GetPrivateKeyAsBytes());
        yield return Http(api, "offer-unsigned", () => OfferRequest(offer, null));
        yield return Http(api, "offer-signature-garbage", () => OfferRequest(offer, "0x" + new string('1', 130)));
        yield return Http(api, "offer-signature-replayed-on-dearer-offer", () => OfferRequest(offer with { UnitPrice = offer.UnitPrice * 2 }, Hex.Format(signed.Signature)));
        yield return Http(api, "offer-signature-other-chain", () => OfferRequest(offer, Hex.Format(SignedOffer.Sign(offer, Eip712Domain.ForExchange(1, deployment.JobMarket), provider.GetPrivateKeyAsBytes()).Signature)));
        var expired = offer with { Expiry = now - 10 };
        yield return Http(api, "offer-expired", () => OfferRequest(expired, Hex.Format(SignedOffer.Sign(expired, market, provider.GetPrivateKeyAsBytes()).Signature)));
        var unknownModel = offer with { ModelId = BlobAddress.Of("no such model"u8.ToArray()) };
        yield return Http(api, "offer-unknown-model-no-collateral", () => OfferRequest(unknownModel, Hex.Format(SignedOffer.Sign(unknownModel, market, provider.GetPrivateKeyAsBytes()).Signature)));
        yield return Http(api, "offer-provider-malformed", () => Json("offers/", JsonSerializer.Serialize(new { provider = "0xnothex", modelId = modelId.ToString(), unitPrice = "1", maxTasks = 64, minTurnaround = 60, expiry = now + 600, region = "local", nonce = 1, signature = Hex.Format(signed.Signature) }, Web)));
        yield return Http(api, "providers-malformed-address", () => new HttpRequestMessage(HttpMethod.Get, "providers/0xzz"));
        yield return Http(api, "offers-filter-malformed-model", () => new HttpRequestMessage(HttpMethod.Get, "offers/?model=resnet"));
    }

    private BadInput Submit(string name, string file, byte[] bytes) =>
        Cli(name, ["client", "submit", "--dev-account", Number(Client), "--model", ImageModel, "--input", Write(file, bytes), "--json"]);

    private BadInput Cli(string name, string[] arguments, IReadOnlyDictionary<string, string>? environment = null, string surface = "cli") =>
        new(surface, name, async ct =>
        {
            var result = await op.RunAsync(arguments, ct, environment).ConfigureAwait(false);
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var crashed = result.ExitCode is 70 or >= 128 || result.Stderr.Contains("Unhandled exception", StringComparison.Ordinal)
                || lines.Any(l => l.StartsWith("at ", StringComparison.Ordinal)) || lines.Any(l => l.StartsWith("error: unexpected", StringComparison.Ordinal));
            var clear = lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal);
            return new Answer(result.ExitCode != 0, crashed, clear, $"exit {result.ExitCode}: {string.Join(" | ", lines.Length > 0 ? lines : [result.Stdout.Trim()])}");
        });

    private static BadInput Upload(HttpClient api, string name, byte[] body, Dictionary<string, string> headers) =>
        Http(api, name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "blobs/") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            foreach (var (key, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }

            return request;
        });

    private static BadInput Batch(HttpClient api, string name, byte[][] blobs, string signer, ulong expiry, string signature, string? sizes = null) =>
        Http(api, name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "blobs/batch") { Content = new BlobBatch.Content(blobs.Select(b => (ReadOnlyMemory<byte>)b)) };
            request.Headers.TryAddWithoutValidation(UploadSignature.SignerHeader, signer);
            request.Headers.TryAddWithoutValidation(UploadSignature.ExpiryHeader, expiry.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(UploadSignature.SignatureHeader, signature);
            request.Headers.TryAddWithoutValidation(UploadSignature.SizesHeader, sizes ?? BlobBatch.FormatSizes(blobs.Select(b => (long)b.Length)));
            return request;
        });

    private static BadInput Http(HttpClient api, string name, Func<HttpRequestMessage> request) =>
        new("api", name, async ct =>
        {
            using var message = request();
            using var response = await api.SendAsync(message, ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? Problem(text) : null;
            return new Answer(status is >= 400 and < 500, status >= 500, problem is not null, $"HTTP {status}: {problem ?? text}");
        });

    private static string? Problem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("title", out var title) && title.GetString() is { Length: > 0 } t
                ? t + (document.RootElement.TryGetProperty("detail", out var detail) ? ": " + detail.GetString() : "")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HttpRequestMessage Json(string path, string body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpRequestMessage OfferRequest(Offer offer, string? signature) =>
        Json("offers/", JsonSerializer.Serialize(OfferDirectory.Submission(new SignedOffer(offer, [])) with { Signature = signature }, Web));

    private static Dictionary<string, string> Headers(string signer, ulong expiry, string signature) => new()
    {
        [UploadSignature.SignerHeader] = signer,
        [UploadSignature.ExpiryHeader] = expiry.ToString(CultureInfo.InvariantCulture),
        [UploadSignature.SignatureHeader] = signature,
    };

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..297] + "...";
}
