namespace Exchange.Core.Models;

/// <summary>
/// Outputs must be close to the verifier's, per output tensor: every bound must hold.
/// </summary>
/// <param name="MaxRelL2">Largest allowed ‖provider − verifier‖₂ / ‖verifier‖₂.</param>
/// <param name="MaxAbs">Largest allowed absolute difference of any element.</param>
/// <param name="MinCosine">Smallest allowed cosine similarity of the flattened tensors, in [-1, 1].</param>
/// <param name="MinTop1Agreement">For classifiers only: smallest allowed fraction of rows (the last axis is the classes) whose argmax agrees, in [0, 1]; null to skip.</param>
public sealed record TolerancePolicy(double MaxRelL2, double MaxAbs, double MinCosine, double? MinTop1Agreement = null) : VerificationPolicy
{
    /// <inheritdoc/>
    public override string Name => ToleranceName;
}
