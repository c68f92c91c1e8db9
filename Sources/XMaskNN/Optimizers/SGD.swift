import XMaskTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
/// PyTorch's `torch.optim.SGD` semantics (Sutskever et al. 2013 form):
///
///     g ← ∇ + λ·p
///     b ← g                          (first step)
///     b ← μ·b + (1 − dampening)·g    (later steps)
///     g ← g + μ·b  (Nesterov)   or   g ← b
///     p ← p − lr·g
///
/// State: `momentum_buffer` per parameter (when μ ≠ 0).
public final class SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var weightDecay: Float
    public var nesterov: Bool
    var state = OptimizerState()

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0,
                     "SGD: learning rate \(learningRate), momentum \(momentum), weight decay \(weightDecay) must be ≥ 0")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and zero dampening")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step(parameters: [Parameter], gradients: [Tensor]) {
        checkPairs("SGD", parameters, gradients)
        let lr = learningRate, mu = momentum, wd = weightDecay, damp = dampening, nesterov = nesterov
        for (p, grad) in zip(parameters, gradients) {
            let id = ObjectIdentifier(p)
            var values = p.value.scalars
            let n = values.count
            // Take the slot out of the dictionary so its buffer is uniquely referenced (no copy).
            var slot = state.slots.removeValue(forKey: id) ?? OptimizerState.Slot(parameter: p, buffers: [:], step: 0)
            let saved = slot.buffers.removeValue(forKey: "momentum_buffer")
            let hasBuffer = saved != nil
            var buffer = mu != 0 ? (saved ?? [Float](repeating: 0, count: n)) : []
            grad.scalars.withUnsafeBufferPointer { g in
                values.withUnsafeMutableBufferPointer { v in
                    buffer.withUnsafeMutableBufferPointer { b in
                        for i in 0..<n {
                            var d = g[i]
                            if wd != 0 { d += wd * v[i] }
                            if mu != 0 {
                                b[i] = hasBuffer ? mu * b[i] + (1 - damp) * d : d
                                d = nesterov ? d + mu * b[i] : b[i]
                            }
                            v[i] -= lr * d
                        }
                    }
                }
            }
            if mu != 0 {
                slot.buffers["momentum_buffer"] = buffer
                slot.step += 1
                state.slots[id] = slot
            }
            p.value = Tensor(shape: p.value.shape, scalars: values)
        }
    }

    public func stateDict(for parameters: [(key: String, parameter: Parameter)]) -> [String: Tensor] {
        state.stateDict(for: parameters, includeStep: false)
    }

    public func load(stateDict: [String: Tensor], for parameters: [(key: String, parameter: Parameter)]) throws(StateDictError) {
        try state.load(stateDict, for: parameters, names: ["momentum_buffer"], includeStep: false, target: "SGD state")
    }
}
