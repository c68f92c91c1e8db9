/// Reverse-mode automatic differentiation on a tape.
///
/// A `Tape` belongs to one ``valueAndGradient(at:of:)`` call. Every op whose inputs include a
/// tracked tensor appends one entry — its inputs and its pullback (vector-Jacobian product) —
/// in execution order, so the backward pass is a reverse walk. Gradients accumulate with `+=`
/// when a tensor is used more than once. There is no global state: tapes on different threads
/// never meet. Mixing tensors of two different tapes in one op is a programmer error.
final class Tape {
    struct Entry {
        /// Tape ids of the inputs (`nil` for a constant input).
        let inputs: [Int?]
        /// Maps the gradient of this entry's output to the gradient of each input (`nil` where
        /// the input is constant or receives no gradient).
        let pullback: ((Tensor) -> [Tensor?])?
        let shape: [Int]
    }

    private(set) var entries: [Entry] = []

    /// Adds a leaf (an input of the differentiated function).
    func leaf(_ value: Tensor) -> Tensor {
        entries.append(Entry(inputs: [], pullback: nil, shape: value.shape))
        return Tensor(shape: value.shape, scalars: value.scalars, node: TapeNode(tape: self, id: entries.count - 1))
    }

    fileprivate func append(inputs: [Int?], shape: [Int], pullback: @escaping (Tensor) -> [Tensor?]) -> TapeNode {
        entries.append(Entry(inputs: inputs, pullback: pullback, shape: shape))
        return TapeNode(tape: self, id: entries.count - 1)
    }

    /// Gradients of every entry, seeded at `output` with `seed`.
    func backward(from output: Int, seed: Tensor) -> [Tensor?] {
        var grads = [Tensor?](repeating: nil, count: entries.count)
        grads[output] = seed
        for id in stride(from: output, through: 0, by: -1) {
            guard let g = grads[id], let pullback = entries[id].pullback else { continue }
            grads[id] = nil  // free as we go; leaves keep theirs (they have no pullback)
            let inputGrads = pullback(g)
            let inputs = entries[id].inputs
            precondition(inputGrads.count == inputs.count, "tape: pullback returned \(inputGrads.count) gradients for \(inputs.count) inputs")
            for (k, input) in inputs.enumerated() {
                guard let target = input, let gi = inputGrads[k] else { continue }
                precondition(gi.shape == entries[target].shape,
                             "tape: gradient of shape \(gi.shape) for an input of shape \(entries[target].shape)")
                if let existing = grads[target] {
                    grads[target] = existing.adding(gi)
                } else {
                    grads[target] = gi
                }
            }
        }
        return grads
    }
}

/// A tensor's place on a tape.
final class TapeNode {
    let tape: Tape
    let id: Int
    init(tape: Tape, id: Int) {
        self.tape = tape
        self.id = id
    }
}

extension Tensor {
    /// Records an op whose result is `shape`/`scalars` and whose inputs are `inputs`.
    /// If no input is tracked the result is a constant and `pullback` is dropped unrun.
    /// `pullback` gets the output gradient and returns one gradient per input
    /// (`nil` allowed for inputs that are constant).
    @inlinable
    static func record(
        _ op: StaticString, shape: [Int], scalars: [Float], inputs: [Tensor],
        pullback: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        recordImpl(op, shape: shape, scalars: scalars, inputs: inputs, pullback: pullback)
    }

    @usableFromInline
    static func recordImpl(
        _ op: StaticString, shape: [Int], scalars: [Float], inputs: [Tensor],
        pullback: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        var tape: Tape?
        for t in inputs {
            if let node = t.node {
                if let existing = tape {
                    precondition(existing === node.tape, "\(op): inputs come from two different tapes")
                } else {
                    tape = node.tape
                }
            }
        }
        guard let tape else { return Tensor(shape: shape, scalars: scalars, node: nil) }
        let node = tape.append(inputs: inputs.map { $0.node?.id }, shape: shape, pullback: pullback)
        return Tensor(shape: shape, scalars: scalars, node: node)
    }

    /// Element-wise sum of two tensors of the same shape, never recorded (used to accumulate gradients).
    func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "accumulate: \(shape) vs \(other.shape)")
        var out = scalars
        other.scalars.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count { o[i] += b[i] }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

/// The value of `f` at `inputs` and the gradient of that scalar value with respect to each input.
///
/// `f` must return a tensor with one element. An input that `f` does not use gets a zero
/// gradient. Safe to call from several threads at once (each call has its own tape).
public func valueAndGradient(
    at inputs: [Tensor], of f: ([Tensor]) throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let tape = Tape()
    let tracked = inputs.map { tape.leaf($0.detached()) }
    let y = try f(tracked)
    precondition(y.count == 1, "valueAndGradient: f returned shape \(y.shape); a single element is expected")
    guard let node = y.node, node.tape === tape else {
        return (y.detached(), inputs.map { Tensor.zeros($0.shape) })
    }
    let grads = tape.backward(from: node.id, seed: Tensor(shape: y.shape, scalars: [1]))
    let result = tracked.enumerated().map { i, t in grads[t.node!.id] ?? Tensor.zeros(inputs[i].shape) }
    return (y.detached(), result)
}

/// Single-input form of ``valueAndGradient(at:of:)``.
public func valueAndGradient(
    at input: Tensor, of f: (Tensor) throws -> Tensor
) rethrows -> (value: Tensor, gradient: Tensor) {
    let (v, g) = try valueAndGradient(at: [input]) { try f($0[0]) }
    return (v, g[0])
}

/// Vector-Jacobian product: the value of `f` at `inputs` and `∂⟨f, cotangent⟩/∂input` for each
/// input. `f` may return any shape; `cotangent` must have that shape.
public func valueAndPullback(
    at inputs: [Tensor], cotangent: Tensor, of f: ([Tensor]) throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let tape = Tape()
    let tracked = inputs.map { tape.leaf($0.detached()) }
    let y = try f(tracked)
    precondition(y.shape == cotangent.shape, "valueAndPullback: output \(y.shape), cotangent \(cotangent.shape)")
    guard let node = y.node, node.tape === tape else {
        return (y.detached(), inputs.map { Tensor.zeros($0.shape) })
    }
    let grads = tape.backward(from: node.id, seed: cotangent.detached())
    let result = tracked.enumerated().map { i, t in grads[t.node!.id] ?? Tensor.zeros(inputs[i].shape) }
    return (y.detached(), result)
}
