import XMaskTensor

/// Sends each parameter to the optimizer of its group (as mlx-swift's `MultiOptimizer`): for
/// example Adam on task masks and SGD on the classifier head.
public final class MultiOptimizer: Optimizer {
    public let groups: [(optimizer: any Optimizer, parameters: [Parameter])]
    private let groupOf: [ObjectIdentifier: Int]

    /// - Precondition: no parameter is in two groups.
    public init(_ groups: [(optimizer: any Optimizer, parameters: [Parameter])]) {
        var map: [ObjectIdentifier: Int] = [:]
        for (g, group) in groups.enumerated() {
            for p in group.parameters {
                precondition(map.updateValue(g, forKey: ObjectIdentifier(p)) == nil,
                             "MultiOptimizer: a parameter of shape \(p.value.shape) is in two groups")
            }
        }
        self.groups = groups
        self.groupOf = map
    }

    /// - Precondition: every parameter belongs to a group.
    public func step(parameters: [Parameter], gradients: [Tensor]) {
        checkPairs("MultiOptimizer", parameters, gradients)
        var routed = [(parameters: [Parameter], gradients: [Tensor])](repeating: ([], []), count: groups.count)
        for (p, g) in zip(parameters, gradients) {
            guard let index = groupOf[ObjectIdentifier(p)] else {
                preconditionFailure("MultiOptimizer.step: a parameter of shape \(p.value.shape) is in no group")
            }
            routed[index].parameters.append(p)
            routed[index].gradients.append(g)
        }
        for (index, part) in routed.enumerated() where !part.parameters.isEmpty {
            groups[index].optimizer.step(parameters: part.parameters, gradients: part.gradients)
        }
    }

    private func split(_ parameters: [(key: String, parameter: Parameter)]) -> [[(key: String, parameter: Parameter)]] {
        var out = [[(key: String, parameter: Parameter)]](repeating: [], count: groups.count)
        for entry in parameters {
            if let index = groupOf[ObjectIdentifier(entry.parameter)] { out[index].append(entry) }
        }
        return out
    }

    public func stateDict(for parameters: [(key: String, parameter: Parameter)]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (index, named) in split(parameters).enumerated() {
            out.merge(groups[index].optimizer.stateDict(for: named)) { a, _ in a }
        }
        return out
    }

    public func load(stateDict: [String: Tensor], for parameters: [(key: String, parameter: Parameter)]) throws(StateDictError) {
        let parts = split(parameters)
        let groupOfKey = Dictionary(parameters.compactMap { entry in groupOf[ObjectIdentifier(entry.parameter)].map { (entry.key, $0) } },
                                    uniquingKeysWith: { a, _ in a })
        var states = [[String: Tensor]](repeating: [:], count: groups.count)
        var problems: [StateDictError.Problem] = []
        for (key, tensor) in stateDict {
            guard let (parameterKey, _) = splitStateKey(key), let index = groupOfKey[parameterKey] else {
                problems.append(.unexpected(key: key, shape: tensor.shape))
                continue
            }
            states[index][key] = tensor
        }
        if !problems.isEmpty { throw StateDictError(target: "MultiOptimizer state", problems: problems) }
        // All or nothing: on a failure, put the groups loaded so far back as they were.
        var previous: [[String: Tensor]] = []
        for (index, group) in groups.enumerated() {
            previous.append(group.optimizer.stateDict(for: parts[index]))
            do {
                try group.optimizer.load(stateDict: states[index], for: parts[index])
            } catch {
                for earlier in 0..<index {
                    try? groups[earlier].optimizer.load(stateDict: previous[earlier], for: parts[earlier])
                }
                throw error
            }
        }
    }
}
