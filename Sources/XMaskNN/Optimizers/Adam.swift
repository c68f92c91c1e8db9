import Foundation
import XMaskTensor

/// Adam (Kingma & Ba 2015, Algorithm 1) with PyTorch's `torch.optim.Adam` semantics, and
/// AdamW's decoupled weight decay (Loshchilov & Hutter 2019) as an option:
///
///     g ← ∇ + λ·p                       (L2, default)   or   p ← p·(1 − lr·λ)   (decoupled)
///     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   t ← t + 1
///     p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// State per parameter: `exp_avg` (m), `exp_avg_sq` (v), `step` (t).
public final class Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var decoupledWeightDecay: Bool
    var state = OptimizerState()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        precondition(learningRate >= 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon >= 0 && weightDecay >= 0,
                     "Adam: learning rate \(learningRate), betas (\(beta1), \(beta2)), ε \(epsilon), weight decay \(weightDecay) out of range")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func step(parameters: [Parameter], gradients: [Tensor]) {
        checkPairs("Adam", parameters, gradients)
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay, decoupled = decoupledWeightDecay
        for (p, grad) in zip(parameters, gradients) {
            let id = ObjectIdentifier(p)
            var values = p.value.scalars
            let n = values.count
            var slot = state.slots.removeValue(forKey: id) ?? OptimizerState.Slot(parameter: p, buffers: [:], step: 0)
            var m = slot.buffers.removeValue(forKey: "exp_avg") ?? [Float](repeating: 0, count: n)
            var v = slot.buffers.removeValue(forKey: "exp_avg_sq") ?? [Float](repeating: 0, count: n)
            slot.step += 1
            let t = Float(slot.step)
            let bc1 = 1 - Foundation.pow(b1, t)
            let bc2Sqrt = (1 - Foundation.pow(b2, t)).squareRoot()
            let stepSize = lr / bc1
            grad.scalars.withUnsafeBufferPointer { g in
                values.withUnsafeMutableBufferPointer { x in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            for i in 0..<n {
                                var d = g[i]
                                if wd != 0 {
                                    if decoupled { x[i] *= 1 - lr * wd } else { d += wd * x[i] }
                                }
                                m[i] = b1 * m[i] + (1 - b1) * d
                                v[i] = b2 * v[i] + (1 - b2) * d * d
                                x[i] -= stepSize * m[i] / (v[i].squareRoot() / bc2Sqrt + eps)
                            }
                        }
                    }
                }
            }
            slot.buffers["exp_avg"] = m
            slot.buffers["exp_avg_sq"] = v
            state.slots[id] = slot
            p.value = Tensor(shape: p.value.shape, scalars: values)
        }
    }

    public func stateDict(for parameters: [(key: String, parameter: Parameter)]) -> [String: Tensor] {
        state.stateDict(for: parameters, includeStep: true)
    }

    public func load(stateDict: [String: Tensor], for parameters: [(key: String, parameter: Parameter)]) throws(StateDictError) {
        try state.load(stateDict, for: parameters, names: ["exp_avg", "exp_avg_sq"], includeStep: true, target: "Adam state")
    }
}
