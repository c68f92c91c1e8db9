import XMaskTensor

/// A network building block: a function of one tensor with named parameters and sub-layers.
///
/// Conforming types are `final class`es that list their parameters and children explicitly
/// (no reflection), in the order PyTorch's `state_dict()` would list them, under the names
/// torchvision uses, so the dotted keys of ``namedParameters()`` (`layer1.0.conv1.weight`)
/// match PyTorch checkpoints. Layers read `parameter.value` and never see the tape.
public protocol Layer: AnyObject {
    /// Applies the layer.
    func callAsFunction(_ x: Tensor) -> Tensor
    /// Direct sub-layers with their key segment (`"conv1"`, `"0"`), in state-dict order.
    var children: [(String, any Layer)] { get }
    /// This layer's own parameters and buffers with their key segment (`"weight"`,
    /// `"running_mean"`), in state-dict order.
    var ownParameters: [(String, Parameter)] { get }
    /// Training (batch statistics, stochastic parts on) or evaluation mode. Set a whole
    /// network's mode with ``Layer/setTraining(_:)``.
    var isTraining: Bool { get set }
}

extension Layer {
    /// Every parameter and buffer of this layer and its descendants, depth first, keyed by the
    /// dotted path (`layer1.0.bn1.running_mean`).
    public func namedParameters() -> [(key: String, parameter: Parameter)] {
        var out: [(key: String, parameter: Parameter)] = []
        collectParameters(prefix: "", into: &out)
        return out
    }

    private func collectParameters(prefix: String, into out: inout [(key: String, parameter: Parameter)]) {
        for (name, p) in ownParameters { out.append((prefix + name, p)) }
        for (name, child) in children { child.collectParameters(prefix: prefix + name + ".", into: &out) }
    }

    /// The parameters an optimizer should update: kind `.parameter` and `isTrainable`.
    public func trainableParameters() -> [Parameter] {
        namedParameters().map(\.parameter).filter { $0.kind == .parameter && $0.isTrainable }
    }

    /// Every descendant layer with its dotted path (this layer itself under `""`), depth first.
    public func namedLayers() -> [(key: String, layer: any Layer)] {
        var out: [(key: String, layer: any Layer)] = [("", self)]
        for (name, child) in children {
            for (key, layer) in child.namedLayers() {
                out.append((key.isEmpty ? name : name + "." + key, layer))
            }
        }
        return out
    }

    /// Sets training (`true`) or evaluation mode on this layer and every descendant.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// The current values of every parameter and buffer by key.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.key, $0.parameter.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Shapes of every parameter and buffer by key (to check a file before loading it).
    public func stateDictShapes() -> [String: [Int]] {
        Dictionary(namedParameters().map { ($0.key, $0.parameter.value.shape) }, uniquingKeysWith: { a, _ in a })
    }

    /// Replaces parameter and buffer values from `state`, all or nothing.
    ///
    /// - Parameter strict: when `true` (as PyTorch's `load_state_dict`), a key of the layer
    ///   missing from `state` or a key of `state` the layer does not have is an error; when
    ///   `false` those are skipped. A wrong shape is always an error.
    /// - Throws: ``StateDictError`` listing every problem; nothing is changed then.
    public func load(stateDict state: [String: Tensor], strict: Bool = true) throws(StateDictError) {
        let named = namedParameters()
        var problems: [StateDictError.Problem] = []
        var known = Set<String>()
        for (key, p) in named {
            known.insert(key)
            if let t = state[key] {
                if t.shape != p.value.shape { problems.append(.wrongShape(key: key, expected: p.value.shape, found: t.shape)) }
            } else if strict {
                problems.append(.missing(key: key, expectedShape: p.value.shape))
            }
        }
        if strict {
            for (key, t) in state where !known.contains(key) { problems.append(.unexpected(key: key, shape: t.shape)) }
        }
        if !problems.isEmpty { throw StateDictError(target: String(describing: type(of: self)), problems: problems) }
        for (key, p) in named {
            if let t = state[key] { p.value = t.detached() }
        }
    }
}
