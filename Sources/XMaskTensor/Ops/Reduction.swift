// Reductions over axes: sum, mean (composite), max.

extension Tensor {
    private func reducedShape(_ axes: [Int], op: String) -> (axes: Set<Int>, keep: [Int]) {
        let set = Set(axes.map { Tensor.normalizedAxis($0, rank: rank, op: op) })
        precondition(set.count == axes.count, "\(op): repeated axis in \(axes) for shape \(shape)")
        let keep = shape.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
        return (set, keep)
    }

    private static func dropAxes(_ keep: [Int], _ axes: Set<Int>) -> [Int] {
        keep.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sum over `axes` (all axes when `nil`).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let (set, keep) = reducedShape(axes ?? Array(0..<rank), op: "sum")
        let r = summedToShape(keep)
        let outShape = keepDims ? keep : Tensor.dropAxes(keep, set)
        let inShape = shape
        return Tensor.record("sum", shape: outShape, scalars: r.scalars, inputs: [self]) { g in
            [Tensor(shape: keep, scalars: g.scalars).expandedPlain(to: inShape)]
        }
    }

    /// Mean over `axes` (all axes when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let list = axes ?? Array(0..<rank)
        let n = list.map { shape[Tensor.normalizedAxis($0, rank: rank, op: "mean")] }.reduce(1, *)
        precondition(n > 0, "mean: reducing an empty axis of \(shape)")
        return sum(axes: list, keepDims: keepDims) * (1 / Float(n))
    }

    /// Maximum over `axes` (all axes when `nil`); the gradient goes to the first maximal element.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let (set, keep) = reducedShape(axes ?? Array(0..<rank), op: "max")
        precondition(count > 0, "max: empty tensor of shape \(shape)")
        let outCount = keep.reduce(1, *)
        var out = [Float](repeating: -.infinity, count: outCount)
        var arg = [Int](repeating: -1, count: outCount)
        let strides = broadcastStrides(keep, to: shape)
        scalars.withUnsafeBufferPointer { src in
            forEachBroadcast(shape: shape, stridesA: strides, stridesB: strides) { o, a, _, n, sa, _ in
                for i in 0..<n {
                    let v = src[o + i], d = a + i * sa
                    if v > out[d] || arg[d] < 0 { out[d] = v; arg[d] = o + i }
                }
            }
        }
        let outShape = keepDims ? keep : Tensor.dropAxes(keep, set)
        let inCount = count, inShape = shape
        return Tensor.record("max", shape: outShape, scalars: out, inputs: [self]) { g in
            var grad = [Float](repeating: 0, count: inCount)
            for (k, i) in arg.enumerated() { grad[i] += g.scalars[k] }
            return [Tensor(shape: inShape, scalars: grad)]
        }
    }

    /// Broadcast copy, never recorded (pullback helper).
    func expandedPlain(to target: [Int]) -> Tensor {
        if shape == target { return detached() }
        return Tensor(shape: target, scalars: stridedCopy(scalars, shape: target, srcStrides: broadcastStrides(shape, to: target)))
    }
}
