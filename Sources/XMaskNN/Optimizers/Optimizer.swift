import XMaskTensor

/// Updates parameters from their gradients, keeping per-parameter state (momentum, moments)
/// keyed by parameter identity.
///
/// State is saved and restored by name through the keys of `model.namedParameters()` (plus any
/// extra named parameters such as masks), as `"<parameter key>.<state name>"` entries, so a
/// resumed run continues bit for bit.
public protocol Optimizer: AnyObject {
    /// Applies one update: `parameters[i].value` moves along `gradients[i]`.
    func step(parameters: [Parameter], gradients: [Tensor])
    /// The state of every listed parameter that has some, as `"<key>.<name>"` tensors.
    func stateDict(for parameters: [(key: String, parameter: Parameter)]) -> [String: Tensor]
    /// Restores state saved by ``stateDict(for:)``; parameters without entries start fresh.
    /// - Throws: ``StateDictError`` for entries naming no listed parameter or an unknown state
    ///   name, or with the wrong shape; nothing is changed then.
    func load(stateDict: [String: Tensor], for parameters: [(key: String, parameter: Parameter)]) throws(StateDictError)
}

extension Optimizer {
    /// Checks that `parameters` and `gradients` pair up (programmer errors).
    func checkPairs(_ name: String, _ parameters: [Parameter], _ gradients: [Tensor]) {
        precondition(parameters.count == gradients.count,
                     "\(name).step: \(parameters.count) parameters, \(gradients.count) gradients")
        for (p, g) in zip(parameters, gradients) {
            precondition(p.value.shape == g.shape, "\(name).step: gradient \(g.shape) for a parameter of shape \(p.value.shape)")
        }
    }
}

/// Splits `"layer1.0.conv1.weight.momentum_buffer"` into the parameter key and the state name.
func splitStateKey(_ key: String) -> (parameter: String, name: String)? {
    guard let dot = key.lastIndex(of: ".") else { return nil }
    return (String(key[..<dot]), String(key[key.index(after: dot)...]))
}

/// Per-parameter state store shared by the optimizers: named `[Float]` buffers per parameter,
/// holding the parameter so that its identity cannot be reused while state exists.
struct OptimizerState {
    struct Slot {
        let parameter: Parameter
        var buffers: [String: [Float]]
        var step: Int
    }

    var slots: [ObjectIdentifier: Slot] = [:]

    /// Saved form: one entry per buffer, plus `"<key>.step"` when `includeStep`.
    func stateDict(for parameters: [(key: String, parameter: Parameter)], includeStep: Bool) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (key, p) in parameters {
            guard let slot = slots[ObjectIdentifier(p)] else { continue }
            for (name, buffer) in slot.buffers { out["\(key).\(name)"] = Tensor(shape: p.value.shape, scalars: buffer) }
            if includeStep { out["\(key).step"] = Tensor(Float(slot.step)) }
        }
        return out
    }

    /// Inverse of ``stateDict(for:includeStep:)``; `names` lists the valid buffer names.
    mutating func load(_ state: [String: Tensor], for parameters: [(key: String, parameter: Parameter)],
                       names: Set<String>, includeStep: Bool, target: String) throws(StateDictError) {
        let byKey = Dictionary(parameters.map { ($0.key, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        var problems: [StateDictError.Problem] = []
        var fresh: [ObjectIdentifier: Slot] = [:]
        for (stateKey, tensor) in state {
            guard let (key, name) = splitStateKey(stateKey), let p = byKey[key],
                  names.contains(name) || (includeStep && name == "step") else {
                problems.append(.unexpected(key: stateKey, shape: tensor.shape))
                continue
            }
            let id = ObjectIdentifier(p)
            var slot = fresh[id] ?? Slot(parameter: p, buffers: [:], step: 0)
            if name == "step" {
                guard tensor.shape == [] else {
                    problems.append(.wrongShape(key: stateKey, expected: [], found: tensor.shape))
                    continue
                }
                slot.step = Int(tensor.item)
            } else {
                guard tensor.shape == p.value.shape else {
                    problems.append(.wrongShape(key: stateKey, expected: p.value.shape, found: tensor.shape))
                    continue
                }
                slot.buffers[name] = tensor.scalars
            }
            fresh[id] = slot
        }
        for (id, slot) in fresh where includeStep {
            let key = parameters.first { ObjectIdentifier($0.parameter) == id }!.key
            if state["\(key).step"] == nil { problems.append(.missing(key: "\(key).step", expectedShape: [])) }
            for name in names where slot.buffers[name] == nil {
                problems.append(.missing(key: "\(key).\(name)", expectedShape: slot.parameter.value.shape))
            }
        }
        if !problems.isEmpty { throw StateDictError(target: target, problems: problems) }
        for (id, _) in slots where byKey.values.contains(where: { ObjectIdentifier($0) == id }) { slots[id] = nil }
        for (id, slot) in fresh { slots[id] = slot }
    }
}
