using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Core.Json;
using Exchange.Core.Tensors;

namespace Exchange.Core.Models;

/// <summary>The one place that maps model cards to and from JSON and checks every field.</summary>
internal static class ModelCardJson
{
    private const string Name = "name";
    private const string Version = "version";
    private const string Description = "description";
    private const string Model = "model";
    private const string File = "file";
    private const string Keccak256 = "keccak256";
    private const string Inputs = "inputs";
    private const string Outputs = "outputs";
    private const string DType = "dtype";
    private const string Shape = "shape";
    private const string Preprocessing = "preprocessing";
    private const string Classifier = "classifier";
    private const string Verification = "verification";
    private const string Policy = "policy";
    private const string MaxRelL2 = "maxRelL2";
    private const string MaxAbs = "maxAbs";
    private const string MinCosine = "minCosine";
    private const string MinTop1Agreement = "minTop1Agreement";

    private static readonly JsonFields Fields = new((field, problem) => new ModelCardException(field, problem, null));

    public static ModelCard Read(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = CanonicalJson.Parse(utf8Json);
        }
        catch (FormatException e)
        {
            throw new ModelCardException(string.Empty, e.Message, e);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    public static byte[] Write(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var json = new JsonObject
        {
            [Name] = card.Name,
            [Version] = card.Version,
            [Model] = card.Model is null ? null : new JsonObject { [File] = card.Model.File, [Keccak256] = card.Model.Keccak256.ToString() },
            [Inputs] = SpecsJson(card.Inputs),
            [Outputs] = SpecsJson(card.Outputs),
            [Preprocessing] = card.Preprocessing?.ToJsonObject(),
            [Classifier] = card.Classifier,
            [Verification] = PolicyJson(card.Verification),
        };
        if (card.Description is not null)
        {
            json[Description] = card.Description;
        }

        return CanonicalJson.Serialize(json);
    }

    private static ModelCard Read(JsonElement root)
    {
        Fields.RequireObject(root, string.Empty, Name, Version, Description, Model, Inputs, Outputs, Preprocessing, Classifier, Verification);
        var classifier = Fields.Bool(Fields.Required(root, string.Empty, Classifier), Classifier);
        var inputs = SpecList(Fields.Required(root, string.Empty, Inputs), Inputs);
        var outputs = SpecList(Fields.Required(root, string.Empty, Outputs), Outputs);
        return new ModelCard(
            Fields.String(Fields.Required(root, string.Empty, Name), Name),
            Fields.String(Fields.Required(root, string.Empty, Version), Version),
            JsonFields.Optional(root, Description) is { } description ? Fields.String(description, Description) : null,
            ReadModel(Fields.Required(root, string.Empty, Model)),
            inputs,
            outputs,
            ReadPreprocessing(Fields.Required(root, string.Empty, Preprocessing)),
            classifier,
            ReadPolicy(Fields.Required(root, string.Empty, Verification), classifier));
    }

    private static ModelFile ReadModel(JsonElement model)
    {
        Fields.RequireObject(model, Model, File, Keccak256);
        var path = JsonFields.Join(Model, File);
        var file = Fields.String(Fields.Required(model, Model, File), path);
        if (file.AsSpan().IndexOfAny('/', '\\') >= 0 || file is "." or "..")
        {
            throw Fields.Error(path, $"must be a plain file name without directories, found \"{file}\"");
        }

        return new ModelFile(file, Fields.Hash(Fields.Required(model, Model, Keccak256), JsonFields.Join(Model, Keccak256)));
    }

    private static EquatableArray<TensorSpec> SpecList(JsonElement list, string path)
    {
        var specs = Fields.Array(list, path, ReadSpec);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < specs.Length; i++)
        {
            if (!names.Add(specs[i].Name))
            {
                throw Fields.Error($"{path}[{i}].{Name}", $"repeats the name \"{specs[i].Name}\"");
            }
        }

        return specs;
    }

    private static TensorSpec ReadSpec(JsonElement spec, string path)
    {
        Fields.RequireObject(spec, path, Name, DType, Shape);
        var name = Fields.String(Fields.Required(spec, path, Name), JsonFields.Join(path, Name));
        var dtypePath = JsonFields.Join(path, DType);
        var dtypeName = Fields.String(Fields.Required(spec, path, DType), dtypePath);
        if (!TensorDTypes.TryParse(dtypeName, out var dtype))
        {
            throw Fields.Error(dtypePath, $"is the unknown dtype \"{dtypeName}\"; expected one of {string.Join(", ", TensorDTypes.Names)}");
        }

        var shapePath = JsonFields.Join(path, Shape);
        var shape = Fields.Array(Fields.Required(spec, path, Shape), shapePath, ReadDimension, allowEmpty: true);
        if (shape.Length > CoreLimits.MaxTensorRank)
        {
            throw Fields.Error(shapePath, $"has {shape.Length} dimensions; at most {CoreLimits.MaxTensorRank} are supported");
        }

        return new TensorSpec(name, dtype, shape);
    }

    private static long ReadDimension(JsonElement dimension, string path)
    {
        var value = Fields.Integer(dimension, path);
        return value >= TensorSpec.DynamicDimension
            ? value
            : throw Fields.Error(path, $"must be a size (0 or more) or -1 for a dynamic dimension, found {value}");
    }

    private static Preprocessing ReadPreprocessing(JsonElement element)
    {
        try
        {
            return Models.Preprocessing.From(element);
        }
        catch (FormatException e)
        {
            throw new ModelCardException(Preprocessing, e.Message, e);
        }
    }

    private static VerificationPolicy ReadPolicy(JsonElement element, bool classifier)
    {
        var policyPath = JsonFields.Join(Verification, Policy);
        Fields.RequireObject(element, Verification, Policy, MaxRelL2, MaxAbs, MinCosine, MinTop1Agreement);

        var name = Fields.String(Fields.Required(element, Verification, Policy), policyPath);
        switch (name)
        {
            case VerificationPolicy.ExactName:
                Fields.RequireObject(element, Verification, Policy);
                return ExactPolicy.Instance;
            case VerificationPolicy.ToleranceName:
                var top1 = JsonFields.Optional(element, MinTop1Agreement) is { } t ? Bound(t, MinTop1Agreement, 0, 1) : (double?)null;
                if (top1 is not null && !classifier)
                {
                    throw Fields.Error(JsonFields.Join(Verification, MinTop1Agreement), "applies only to classifiers; set \"classifier\": true or remove it");
                }

                return new TolerancePolicy(
                    Bound(Fields.Required(element, Verification, MaxRelL2), MaxRelL2, 0, double.MaxValue),
                    Bound(Fields.Required(element, Verification, MaxAbs), MaxAbs, 0, double.MaxValue),
                    Bound(Fields.Required(element, Verification, MinCosine), MinCosine, -1, 1),
                    top1);
            default:
                throw Fields.Error(policyPath, $"is the unknown policy \"{name}\"; expected \"{VerificationPolicy.ExactName}\" or \"{VerificationPolicy.ToleranceName}\"");
        }
    }

    private static double Bound(JsonElement element, string key, double min, double max)
    {
        var path = JsonFields.Join(Verification, key);
        var value = Fields.Number(element, path);
        return value >= min && value <= max
            ? value
            : throw Fields.Error(path, max == double.MaxValue ? $"must be at least {min}, found {value}" : $"must be within [{min}, {max}], found {value}");
    }

    private static JsonArray SpecsJson(EquatableArray<TensorSpec> specs) =>
        new([.. specs.Select(s => s is null ? null : (JsonNode)new JsonObject
        {
            [Name] = s.Name,
            [DType] = s.DType.Name(),
            [Shape] = new JsonArray([.. s.Shape.Select(d => (JsonNode)d)]),
        })]);

    private static JsonObject? PolicyJson(VerificationPolicy? policy) => policy switch
    {
        null => null,
        ExactPolicy => new JsonObject { [Policy] = VerificationPolicy.ExactName },
        TolerancePolicy t => TolerancePolicyJson(t),
        _ => throw new ModelCardException(Verification, $"has an unsupported policy type {policy.GetType().Name}", null),
    };

    private static JsonObject TolerancePolicyJson(TolerancePolicy t)
    {
        var json = new JsonObject
        {
            [Policy] = VerificationPolicy.ToleranceName,
            [MaxRelL2] = Finite(t.MaxRelL2, MaxRelL2),
            [MaxAbs] = Finite(t.MaxAbs, MaxAbs),
            [MinCosine] = Finite(t.MinCosine, MinCosine),
        };
        if (t.MinTop1Agreement is { } top1)
        {
            json[MinTop1Agreement] = Finite(top1, MinTop1Agreement);
        }

        return json;
    }

    // JSON has no NaN or infinity, so they are caught before the tree is serialised.
    private static double Finite(double value, string key) =>
        double.IsFinite(value) ? value : throw Fields.Error(JsonFields.Join(Verification, key), $"must be a finite number, found {value}");
}
