import Testing
@testable import XMaskTensor

/// Central-difference gradient check of `f` at `inputs`: the scalar is `Σ f(x) ⊙ r` with a fixed
/// random cotangent `r` (all-ones would hide transpose bugs), summed in Double.
func checkGradients(
    _ inputs: [Tensor], seed: UInt64 = 7, epsilon: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
    let y = f(inputs)
    var rng = SeededGenerator(seed: seed)
    let r = Tensor.normal(y.shape, using: &rng)
    let (value, analytic) = valueAndPullback(at: inputs, cotangent: r, of: f)
    #expect(value.scalars == y.scalars, "value differs between tracked and untracked runs", sourceLocation: sourceLocation)
    func objective(_ xs: [Tensor]) -> Double {
        let out = f(xs)
        var s: Double = 0
        for i in 0..<out.count { s += Double(out.scalars[i]) * Double(r.scalars[i]) }
        return s
    }
    for (k, x) in inputs.enumerated() {
        #expect(analytic[k].shape == x.shape, "gradient \(k) shape", sourceLocation: sourceLocation)
        for j in 0..<x.count {
            var plus = x.scalars, minus = x.scalars
            plus[j] += epsilon
            minus[j] -= epsilon
            var xp = inputs, xm = inputs
            xp[k] = Tensor(shape: x.shape, scalars: plus)
            xm[k] = Tensor(shape: x.shape, scalars: minus)
            let numeric = Float((objective(xp) - objective(xm)) / (2 * Double(epsilon)))
            let a = analytic[k].scalars[j]
            let ok = abs(a - numeric) <= tolerance * max(1, abs(numeric))
            #expect(ok, "input \(k) element \(j): analytic \(a) vs numeric \(numeric)", sourceLocation: sourceLocation)
            if !ok { return }
        }
    }
}

/// Random tensor with |elements| in [lo, hi] and random signs (keeps kinks away from ±ε).
func randomTensor(_ shape: [Int], seed: UInt64, lo: Float = 0.1, hi: Float = 1, positive: Bool = false) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let values = (0..<n).map { _ -> Float in
        let m = lo + (hi - lo) * rng.nextUnitFloat()
        return positive || rng.nextUnitFloat() < 0.5 ? m : -m
    }
    return Tensor(shape: shape, scalars: values)
}
