using Exchange.Core.Tensors;

namespace Exchange.Inference.Onnx;

/// <summary>
/// The few edits of an ONNX <c>ModelProto</c> the engine needs, done on the protobuf wire format
/// (field numbers from onnx.proto) so that no ONNX package is needed and untouched parts keep
/// their bytes.
/// </summary>
internal static class OnnxModelEditor
{
    /// <summary>The symbolic name given to a batch dimension made dynamic.</summary>
    public const string BatchDimension = "batch";

    private const int ModelIrVersion = 1;
    private const int ModelOpsetImport = 8;
    private const int ModelGraph = 7;
    private const int OpsetDomain = 1;
    private const int OpsetVersion = 2;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeAttribute = 5;
    private const int TensorName = 8;
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensor = 1;
    private const int TensorTypeShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int DimParam = 2;

    /// <summary>
    /// Rewrites a leading dimension of 1 on the named graph inputs and outputs to the symbolic
    /// <see cref="BatchDimension"/>, and drops the intermediate shape hints (value_info) that would
    /// pin it back to 1. Whether the graph then really computes per row is for the caller to check.
    /// </summary>
    /// <returns>The edited model, or null when no named input or output had a leading 1.</returns>
    public static byte[]? MakeBatchDynamic(byte[] model, IReadOnlySet<string> inputs, IReadOnlySet<string> outputs)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        var changed = false;
        graph.Map(GraphInput, f => RewriteLeadingDim(f, inputs, ref changed));
        graph.Map(GraphOutput, f => RewriteLeadingDim(f, outputs, ref changed));
        if (!changed)
        {
            return null;
        }

        graph.Map(GraphValueInfo, _ => null);
        root.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, graph.ToBytes()));
        return root.ToBytes();
    }

    /// <summary>
    /// Pins dimension <paramref name="axis"/> of the named graph inputs to <paramref name="size"/>
    /// (a symbolic or fixed dimension alike), and drops the intermediate shape hints (value_info)
    /// written for the old size.
    /// </summary>
    /// <exception cref="InvalidDataException">A named input is missing or has no such dimension.</exception>
    public static byte[] FixDimension(byte[] model, IReadOnlySet<string> inputs, int axis, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        var fixedNames = new HashSet<string>(StringComparer.Ordinal);
        graph.Map(GraphInput, field =>
        {
            var name = NameOf(field);
            if (name is null || !inputs.Contains(name))
            {
                return field;
            }

            fixedNames.Add(name);
            return EditDim(field, axis, name, _ => ProtoField.Message(ShapeDim, new ProtoMessage([ProtoField.Integer(DimValue, size)]).ToBytes()));
        });
        if (inputs.FirstOrDefault(n => !fixedNames.Contains(n)) is { } missing)
        {
            throw new InvalidDataException($"ONNX model has no input '{missing}'.");
        }

        graph.Map(GraphValueInfo, _ => null);
        root.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, graph.ToBytes()));
        return root.ToBytes();
    }

    /// <summary>
    /// Appends <paramref name="additions"/> (nodes and initializers built with <see cref="OnnxProto"/>)
    /// to the graph and makes <paramref name="outputs"/> its only outputs; then removes every node
    /// and initializer none of the new outputs needs, so the file carries no dead weights.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph has subgraphs (whose outer references this edit does not follow).</exception>
    public static byte[] Extend(byte[] model, IEnumerable<ProtoField> additions, IEnumerable<ProtoField> outputs)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        graph.Map(GraphOutput, _ => null);
        graph.Map(GraphValueInfo, _ => null);
        graph.Fields.AddRange(additions);
        graph.Fields.AddRange(outputs);
        Prune(graph);
        root.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, graph.ToBytes()));
        return root.ToBytes();
    }

    /// <summary>Removes the nodes no graph output depends on, then the initializers no node reads.</summary>
    private static void Prune(ProtoMessage graph)
    {
        var needed = graph.All(GraphOutput).Select(NameOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var keep = new HashSet<int>();
        for (var i = graph.Fields.Count - 1; i >= 0; i--)
        {
            if (graph.Fields[i].Number != GraphNode)
            {
                continue;
            }

            var node = ProtoMessage.Parse(graph.Fields[i].Bytes);
            if (node.All(NodeAttribute).Any(a => ProtoMessage.Parse(a.Bytes).First(OnnxProto.AttributeGraph) is not null || ProtoMessage.Parse(a.Bytes).First(OnnxProto.AttributeGraphs) is not null))
            {
                throw new InvalidDataException("ONNX model has subgraphs; pruning it is not supported.");
            }

            // Nodes are in topological order, so walking back from the outputs sees every consumer before its producer.
            if (node.All(NodeOutput).Any(o => needed.Contains(o.AsText())))
            {
                keep.Add(i);
                foreach (var input in node.All(NodeInput))
                {
                    needed.Add(input.AsText());
                }
            }
        }

        for (var i = graph.Fields.Count - 1; i >= 0; i--)
        {
            var field = graph.Fields[i];
            var dead = (field.Number == GraphNode && !keep.Contains(i))
                || (field.Number == GraphInitializer && !needed.Contains(ProtoMessage.Parse(field.Bytes).Text(TensorName) ?? ""));
            if (dead)
            {
                graph.Fields.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Joins two models into one: <paramref name="first"/>'s output <paramref name="firstOutput"/>
    /// feeds <paramref name="second"/>'s input <paramref name="secondInput"/>. The result takes the
    /// first model's inputs and the second model's outputs. Both must use the same default-domain
    /// opset, and their node outputs and initializers must not share names.
    /// </summary>
    public static byte[] Chain(byte[] first, string firstOutput, byte[] second, string secondInput)
    {
        var firstRoot = ProtoMessage.Parse(first);
        var secondRoot = ProtoMessage.Parse(second);
        var firstGraph = firstRoot.Child(ModelGraph) ?? throw new InvalidDataException("First ONNX model has no graph.");
        var secondGraph = secondRoot.Child(ModelGraph) ?? throw new InvalidDataException("Second ONNX model has no graph.");
        var firstOpset = DefaultOpset(firstRoot);
        var secondOpset = DefaultOpset(secondRoot);
        if (firstOpset != secondOpset)
        {
            throw new InvalidDataException($"Cannot chain ONNX models with opsets {firstOpset} and {secondOpset}.");
        }

        var secondNames = DefinedNames(secondGraph);
        var clash = DefinedNames(firstGraph).FirstOrDefault(n => n != firstOutput && secondNames.Contains(n));
        if (clash is not null)
        {
            throw new InvalidDataException($"Cannot chain ONNX models: both define '{clash}'.");
        }

        if (!secondGraph.All(GraphInput).Any(f => NameOf(f) == secondInput))
        {
            throw new InvalidDataException($"Second ONNX model has no input '{secondInput}'.");
        }

        var merged = new List<ProtoField>();
        foreach (var field in secondGraph.Fields)
        {
            if (field.Number == GraphNode && merged.All(f => f.Number != GraphNode))
            {
                merged.AddRange(firstGraph.All(GraphNode).Select(n => RenameNodeOutput(n, firstOutput, secondInput)));
            }

            if (field.Number == GraphInitializer && merged.All(f => f.Number != GraphInitializer))
            {
                merged.AddRange(firstGraph.All(GraphInitializer));
            }

            if (field.Number == GraphInput && NameOf(field) == secondInput)
            {
                merged.AddRange(firstGraph.All(GraphInput));
                continue;
            }

            if (field.Number == GraphValueInfo)
            {
                continue;
            }

            merged.Add(field);
        }

        secondRoot.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, new ProtoMessage(merged).ToBytes()));
        var irVersion = Math.Max(IrVersion(firstRoot), IrVersion(secondRoot));
        secondRoot.Map(ModelIrVersion, _ => ProtoField.Integer(ModelIrVersion, irVersion));
        return secondRoot.ToBytes();
    }

    /// <summary>
    /// Puts a <c>Cast</c> in front of the float32 input <paramref name="input"/>: the result takes
    /// <paramref name="byteInput"/> instead, <c>uint8</c> values of shape <paramref name="dims"/>,
    /// and converts them in its graph, so that what callers send is a quarter of the float bytes.
    /// </summary>
    public static byte[] WithByteInput(byte[] model, string input, string byteInput, long[] dims)
    {
        var converted = byteInput + "_as_float";
        var cast = OnnxProto.Model(
            "byte-input",
            [
                OnnxProto.Input(byteInput, TensorDType.UInt8, dims),
                OnnxProto.Node("Cast", [byteInput], [converted], converted, OnnxProto.IntAttribute("to", OnnxProto.DataType(TensorDType.Float32))),
                OnnxProto.Output(converted, TensorDType.Float32, dims),
            ],
            DefaultOpset(ProtoMessage.Parse(model)));
        return Chain(cast, converted, model, input);
    }

    /// <summary>The opset version of the default (ai.onnx) domain.</summary>
    private static long DefaultOpset(ProtoMessage root)
    {
        foreach (var import in root.All(ModelOpsetImport))
        {
            var opset = ProtoMessage.Parse(import.Bytes);
            var domain = opset.Text(OpsetDomain) ?? "";
            if (domain is "" or "ai.onnx")
            {
                return (long)(opset.First(OpsetVersion)?.Varint ?? 0);
            }
        }

        throw new InvalidDataException("ONNX model imports no default-domain opset.");
    }

    private static long IrVersion(ProtoMessage root) => (long)(root.First(ModelIrVersion)?.Varint ?? 0);

    private static HashSet<string> DefinedNames(ProtoMessage graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.All(GraphNode))
        {
            foreach (var output in ProtoMessage.Parse(node.Bytes).All(NodeOutput))
            {
                names.Add(output.AsText());
            }
        }

        foreach (var initializer in graph.All(GraphInitializer))
        {
            names.Add(ProtoMessage.Parse(initializer.Bytes).Text(TensorName) ?? "");
        }

        return names;
    }

    private static ProtoField RenameNodeOutput(ProtoField node, string from, string to)
    {
        var message = ProtoMessage.Parse(node.Bytes);
        var renamed = false;
        message.Map(NodeOutput, f =>
        {
            if (f.AsText() != from)
            {
                return f;
            }

            renamed = true;
            return ProtoField.Text(NodeOutput, to);
        });
        return renamed ? ProtoField.Message(GraphNode, message.ToBytes()) : node;
    }

    private static string? NameOf(ProtoField valueInfo) => ProtoMessage.Parse(valueInfo.Bytes).Text(ValueInfoName);

    private static ProtoField RewriteLeadingDim(ProtoField valueInfo, IReadOnlySet<string> names, ref bool changed)
    {
        var name = NameOf(valueInfo);
        if (name is null || !names.Contains(name))
        {
            return valueInfo;
        }

        var rewritten = false;
        var result = EditDim(valueInfo, 0, null, dim =>
        {
            if (ProtoMessage.Parse(dim.Bytes).First(DimValue) is not { Varint: 1 })
            {
                return dim;
            }

            rewritten = true;
            return ProtoField.Message(ShapeDim, new ProtoMessage([ProtoField.Text(DimParam, BatchDimension)]).ToBytes());
        });
        changed |= rewritten;
        return result;
    }

    /// <summary>
    /// Replaces dimension <paramref name="axis"/> of a typed value (graph input or output) by what
    /// <paramref name="edit"/> returns. A value without that dimension is returned as it is, or is
    /// an error when <paramref name="required"/> names it.
    /// </summary>
    private static ProtoField EditDim(ProtoField valueInfo, int axis, string? required, Func<ProtoField, ProtoField> edit)
    {
        var info = ProtoMessage.Parse(valueInfo.Bytes);
        var type = info.Child(ValueInfoType);
        var tensor = type?.Child(TypeTensor);
        var shape = tensor?.Child(TensorTypeShape);
        var dims = shape?.Fields.Select((f, i) => (f, i)).Where(x => x.f.Number == ShapeDim).Select(x => x.i).ToList() ?? [];
        if (type is null || tensor is null || shape is null || axis >= dims.Count)
        {
            return required is null ? valueInfo : throw new InvalidDataException($"ONNX input '{required}' has no dimension {axis}.");
        }

        shape.Fields[dims[axis]] = edit(shape.Fields[dims[axis]]);
        tensor.Map(TensorTypeShape, _ => ProtoField.Message(TensorTypeShape, shape.ToBytes()));
        type.Map(TypeTensor, _ => ProtoField.Message(TypeTensor, tensor.ToBytes()));
        info.Map(ValueInfoType, _ => ProtoField.Message(ValueInfoType, type.ToBytes()));
        return ProtoField.Message(valueInfo.Number, info.ToBytes());
    }
}
