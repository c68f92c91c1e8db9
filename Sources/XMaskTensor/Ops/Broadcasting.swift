/// NumPy broadcasting: shapes are aligned on their last axis; an extent of 1 (or a missing
/// leading axis) stretches to the other operand's extent.
public func broadcastShape(_ a: [Int], _ b: [Int], op: String = "broadcast") -> [Int] {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        precondition(da == db || da == 1 || db == 1, "\(op): shapes \(a) and \(b) cannot be broadcast")
        out[i] = da == 1 ? db : da
    }
    return out
}

/// Strides to read a tensor of `shape` as if it had `target` shape (0 on broadcast axes).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let offset = target.count - shape.count
    let own = Tensor.strides(of: shape)
    var out = [Int](repeating: 0, count: target.count)
    for i in 0..<target.count where i >= offset {
        out[i] = shape[i - offset] == 1 ? 0 : own[i - offset]
    }
    return out
}

/// Calls `body(outIndex, aIndex, bIndex)` for every element of the broadcast `shape`,
/// walking the innermost axis as a strided run.
@inline(__always)
func forEachBroadcast(
    shape: [Int], stridesA: [Int], stridesB: [Int],
    _ body: (_ o: Int, _ a: Int, _ b: Int, _ n: Int, _ sa: Int, _ sb: Int) -> Void
) {
    let rank = shape.count
    let total = shape.reduce(1, *)
    if total == 0 { return }
    if rank == 0 {
        body(0, 0, 0, 1, 0, 0)
        return
    }
    let inner = shape[rank - 1]
    let isa = stridesA[rank - 1], isb = stridesB[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offA = 0, offB = 0, o = 0
    while o < total {
        body(o, offA, offB, inner, isa, isb)
        o += inner
        // advance outer index
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offA += stridesA[axis]
            offB += stridesB[axis]
            if index[axis] < shape[axis] { break }
            offA -= stridesA[axis] * shape[axis]
            offB -= stridesB[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

extension Tensor {
    /// Sums `self` down to `shape` (the adjoint of broadcasting `shape` up to `self.shape`).
    /// Never recorded: used by pullbacks on plain gradients.
    func summedToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self.detached() }
        let strides = broadcastStrides(target, to: shape)
        var out = [Float](repeating: 0, count: target.reduce(1, *))
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                forEachBroadcast(shape: shape, stridesA: strides, stridesB: strides) { o, a, _, n, sa, _ in
                    if sa == 0 {
                        var s: Float = 0
                        for i in 0..<n { s += src[o + i] }
                        dst[a] += s
                    } else {
                        for i in 0..<n { dst[a + i * sa] += src[o + i] }
                    }
                }
            }
        }
        return Tensor(shape: target, scalars: out)
    }
}
