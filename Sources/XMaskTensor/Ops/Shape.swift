// Shape primitives: reshape, permute, expand, slice, pad, concatenate, gather.

/// Copies elements of `src` read with `srcStrides` from `srcOffset`, over `shape`, into a new
/// contiguous array.
func stridedCopy(_ src: [Float], shape: [Int], srcStrides: [Int], srcOffset: Int = 0) -> [Float] {
    let n = shape.reduce(1, *)
    return [Float](unsafeUninitializedCapacity: n) { buf, count in
        src.withUnsafeBufferPointer { p in
            forEachBroadcast(shape: shape, stridesA: srcStrides, stridesB: srcStrides) { o, a, _, len, sa, _ in
                let base = srcOffset + a
                if sa == 1 {
                    for i in 0..<len { buf[o + i] = p[base + i] }
                } else {
                    for i in 0..<len { buf[o + i] = p[base + i * sa] }
                }
            }
        }
        count = n
    }
}

/// Adds contiguous `src` (of `shape`) into `dst` at positions `dstOffset + Σ index·dstStrides`.
func stridedAccumulate(_ src: [Float], shape: [Int], into dst: inout [Float], dstStrides: [Int], dstOffset: Int = 0) {
    src.withUnsafeBufferPointer { p in
        dst.withUnsafeMutableBufferPointer { q in
            forEachBroadcast(shape: shape, stridesA: dstStrides, stridesB: dstStrides) { o, a, _, len, sa, _ in
                let base = dstOffset + a
                for i in 0..<len { q[base + i * sa] += p[o + i] }
            }
        }
    }
}

extension Tensor {
    /// The same elements with a new shape; one extent may be `-1` (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let k = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != k }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[k] = count / known
        }
        precondition(target.allSatisfy { $0 >= 0 } && target.reduce(1, *) == count,
                     "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let old = shape
        return Tensor.record("reshape", shape: target, scalars: scalars, inputs: [self]) { g in
            [Tensor(shape: old, scalars: g.scalars)]
        }
    }

    /// Flattens all axes from `axis` on into one.
    public func flattened(from axis: Int = 1) -> Tensor {
        let a = Tensor.normalizedAxis(axis, rank: rank, op: "flatten")
        return reshaped(Array(shape[..<a]) + [shape[a...].reduce(1, *)])
    }

    /// Axes reordered: result axis `i` is input axis `permutation[i]`.
    public func transposed(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank),
                     "transpose: \(permutation) is not a permutation of the axes of \(shape)")
        let own = Tensor.strides(of: shape)
        let outShape = permutation.map { shape[$0] }
        let out = stridedCopy(scalars, shape: outShape, srcStrides: permutation.map { own[$0] })
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return Tensor.record("transpose", shape: outShape, scalars: out, inputs: [self]) { g in
            let gs = Tensor.strides(of: outShape)
            return [Tensor(shape: inverse.map { outShape[$0] },
                           scalars: stridedCopy(g.scalars, shape: inverse.map { outShape[$0] }, srcStrides: inverse.map { gs[$0] }))]
        }
    }

    /// The last two axes swapped.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transpose: rank \(rank) tensor of shape \(shape) has no two axes to swap")
        var p = Array(0..<rank)
        p.swapAt(rank - 1, rank - 2)
        return transposed(p)
    }

    /// Broadcast to `target` (NumPy rules); the gradient is summed back.
    public func expanded(to target: [Int]) -> Tensor {
        let b = broadcastShape(shape, target, op: "expand")
        precondition(b == target, "expand: \(shape) cannot expand to \(target)")
        if shape == target { return self }
        let out = stridedCopy(scalars, shape: target, srcStrides: broadcastStrides(shape, to: target))
        let old = shape
        return Tensor.record("expand", shape: target, scalars: out, inputs: [self]) { g in [g.summedToShape(old)] }
    }

    /// Elements `lower[i] ..< upper[i]` with step `steps[i]` on every axis.
    public func sliced(lower: [Int], upper: [Int], steps: [Int]? = nil) -> Tensor {
        let steps = steps ?? [Int](repeating: 1, count: rank)
        precondition(lower.count == rank && upper.count == rank && steps.count == rank,
                     "slice: bounds \(lower)..<\(upper) step \(steps) do not match rank of \(shape)")
        for i in 0..<rank {
            precondition(lower[i] >= 0 && lower[i] <= upper[i] && upper[i] <= shape[i] && steps[i] > 0,
                         "slice: axis \(i) bounds \(lower[i])..<\(upper[i]) step \(steps[i]) invalid for shape \(shape)")
        }
        let outShape: [Int] = (0..<rank).map { (i: Int) -> Int in
            let extent: Int = upper[i] - lower[i]
            return (extent + steps[i] - 1) / steps[i]
        }
        let own = Tensor.strides(of: shape)
        let srcStrides: [Int] = (0..<rank).map { (i: Int) -> Int in own[i] * steps[i] }
        let offset: Int = (0..<rank).map { (i: Int) -> Int in lower[i] * own[i] }.reduce(0, +)
        let out = stridedCopy(scalars, shape: outShape, srcStrides: srcStrides, srcOffset: offset)
        let inShape = shape
        return Tensor.record("slice", shape: outShape, scalars: out, inputs: [self]) { g in
            var grad = [Float](repeating: 0, count: inShape.reduce(1, *))
            stridedAccumulate(g.scalars, shape: outShape, into: &grad, dstStrides: srcStrides, dstOffset: offset)
            return [Tensor(shape: inShape, scalars: grad)]
        }
    }

    /// Elements `range` along one axis.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Tensor.normalizedAxis(axis, rank: rank, op: "slice")
        var lower = [Int](repeating: 0, count: rank), upper = shape
        lower[a] = range.lowerBound
        upper[a] = range.upperBound
        return sliced(lower: lower, upper: upper)
    }

    /// Padded with `value`: `before[i]` elements before and `after[i]` after, on each axis.
    public func padded(before: [Int], after: [Int], value: Float = 0) -> Tensor {
        precondition(before.count == rank && after.count == rank && (before + after).allSatisfy { $0 >= 0 },
                     "pad: padding \(before)/\(after) invalid for shape \(shape)")
        let outShape: [Int] = (0..<rank).map { (i: Int) -> Int in shape[i] + before[i] + after[i] }
        let os = Tensor.strides(of: outShape)
        let offset: Int = (0..<rank).map { (i: Int) -> Int in before[i] * os[i] }.reduce(0, +)
        var out = [Float](repeating: value, count: outShape.reduce(1, *))
        let inShape = shape
        // `out` starts at `value` everywhere; adding `x − value` leaves `x` in the interior.
        let interior = value == 0 ? scalars : mapScalars(self) { $0 - value }
        stridedAccumulate(interior, shape: inShape, into: &out, dstStrides: os, dstOffset: offset)
        return Tensor.record("pad", shape: outShape, scalars: out, inputs: [self]) { g in
            [Tensor(shape: inShape, scalars: stridedCopy(g.scalars, shape: inShape, srcStrides: os, srcOffset: offset))]
        }
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0].shape
        let a = Tensor.normalizedAxis(axis, rank: first.count, op: "concatenate")
        for t in tensors {
            precondition(t.rank == first.count && (0..<first.count).allSatisfy { $0 == a || t.shape[$0] == first[$0] },
                         "concatenate: shapes \(tensors.map(\.shape)) differ off axis \(a)")
        }
        let outer = first[..<a].reduce(1, *)
        let inner = first[(a + 1)...].reduce(1, *)
        let extents = tensors.map { $0.shape[a] }
        let total = extents.reduce(0, +)
        var outShape = first
        outShape[a] = total
        var out = [Float](repeating: 0, count: outer * total * inner)
        var start = 0
        for t in tensors {
            let block = t.shape[a] * inner
            t.scalars.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { q in
                    for o in 0..<outer {
                        let dst = o * total * inner + start * inner
                        for i in 0..<block { q[dst + i] = p[o * block + i] }
                    }
                }
            }
            start += t.shape[a]
        }
        return record("concatenate", shape: outShape, scalars: out, inputs: tensors) { g in
            var grads: [Tensor?] = []
            var s = 0
            for (k, e) in extents.enumerated() {
                var shape = tensors[k].shape
                shape[a] = e
                var part = [Float](repeating: 0, count: outer * e * inner)
                for o in 0..<outer {
                    for i in 0..<(e * inner) { part[o * e * inner + i] = g.scalars[o * total * inner + s * inner + i] }
                }
                grads.append(Tensor(shape: shape, scalars: part))
                s += e
            }
            return grads
        }
    }

    /// Picks `indices` along `axis` (repeats allowed); the gradient is scattered and summed.
    public func gathering(_ indices: [Int], axis: Int) -> Tensor {
        let a = Tensor.normalizedAxis(axis, rank: rank, op: "gather")
        let extent = shape[a]
        for i in indices {
            precondition(i >= 0 && i < extent, "gather: index \(i) out of range 0..<\(extent) on axis \(a) of \(shape)")
        }
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = indices.count
        let m = indices.count
        var out = [Float](repeating: 0, count: outer * m * inner)
        for o in 0..<outer {
            for (j, idx) in indices.enumerated() {
                for i in 0..<inner { out[(o * m + j) * inner + i] = scalars[(o * extent + idx) * inner + i] }
            }
        }
        let inShape = shape
        return Tensor.record("gather", shape: outShape, scalars: out, inputs: [self]) { g in
            var grad = [Float](repeating: 0, count: inShape.reduce(1, *))
            for o in 0..<outer {
                for (j, idx) in indices.enumerated() {
                    for i in 0..<inner { grad[(o * extent + idx) * inner + i] += g.scalars[(o * m + j) * inner + i] }
                }
            }
            return [Tensor(shape: inShape, scalars: grad)]
        }
    }
}
