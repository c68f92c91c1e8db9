import XMaskTensor

extension Dataset {
    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        let size = imageSize
        precondition(indices.allSatisfy { $0 >= 0 && $0 < count }, "subset: an index is outside 0..<\(count)")
        func gather<T>(_ v: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(indices.count * size)
            for i in indices { out += v[(i * size)..<((i + 1) * size)] }
            return out
        }
        let picked: Pixels
        switch pixels {
        case .uint8(let v): picked = .uint8(gather(v))
        case .float(let v): picked = .float(gather(v))
        }
        return Dataset(unchecked: name ?? self.name, pixels: picked, labels: indices.map { labels[$0] },
                       channels: channels, height: height, width: width, classCount: classCount)
    }

    /// The first `n` images of each class in file order (all of a class that has fewer), kept in
    /// file order. Deterministic without a seed: the way to ship a small demo subset.
    public func firstPerClass(_ n: Int) -> Dataset {
        precondition(n >= 0, "firstPerClass: n \(n) is negative")
        var taken = [Int](repeating: 0, count: classCount)
        var indices: [Int] = []
        for (i, label) in labels.enumerated() where taken[label] < n {
            taken[label] += 1
            indices.append(i)
        }
        return subset(indices)
    }

    /// A stratified random sample of `total` images: each class gets its share of `total` in
    /// proportion to its size (largest remainders, ties to the lower label, never more than
    /// the class has), drawn without replacement with `seed`; the result keeps file order.
    public func stratifiedSample(_ total: Int, seed: UInt64) -> Dataset {
        subset(stratifiedIndices(total, seed: seed))
    }

    /// A stratified split: `heldOut` images drawn as ``stratifiedSample(_:seed:)`` draws them, and
    /// the rest. The two are disjoint, together the whole dataset, each in file order.
    public func stratifiedSplit(heldOut: Int, seed: UInt64) -> (rest: Dataset, heldOut: Dataset) {
        let held = stratifiedIndices(heldOut, seed: seed)
        var inHeld = [Bool](repeating: false, count: count)
        for i in held { inHeld[i] = true }
        return (subset((0..<count).filter { !inHeld[$0] }), subset(held))
    }

    /// The sorted indices ``stratifiedSample(_:seed:)`` takes.
    func stratifiedIndices(_ total: Int, seed: UInt64) -> [Int] {
        precondition(total >= 0 && total <= count, "stratifiedSample: total \(total) outside 0...\(count)")
        let counts = classCounts
        var quota = counts.map { total * $0 / max(count, 1) }
        let remainders = counts.enumerated().map { (label: $0.offset, rest: total * $0.element % max(count, 1)) }
        var missing = total - quota.reduce(0, +)
        for r in remainders.sorted(by: { ($0.rest, -$0.label) > ($1.rest, -$1.label) }) where missing > 0 && quota[r.label] < counts[r.label] {
            quota[r.label] += 1
            missing -= 1
        }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, label) in labels.enumerated() { byClass[label].append(i) }
        var indices: [Int] = []
        for label in 0..<classCount where quota[label] > 0 {
            var rng = SeededGenerator(seed: Shuffle.derivedSeed(seed, [UInt64(label), 1]))
            var members = byClass[label]
            // Partial Fisher–Yates: the first quota places hold a uniform sample.
            for k in 0..<quota[label] {
                members.swapAt(k, k + Shuffle.uniform(below: members.count - k, using: &rng))
            }
            indices += members[0..<quota[label]]
        }
        return indices.sorted()
    }
}
