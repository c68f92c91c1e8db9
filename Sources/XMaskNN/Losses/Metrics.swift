import XMaskTensor

/// Number of rows of `logits: [N, C]` whose largest entry (first on ties) is at the label.
public func correctCount(logits: Tensor, labels: [Int]) -> Int {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "correctCount: logits \(logits.shape) for \(labels.count) labels")
    let c = logits.shape[1]
    var correct = 0
    logits.scalars.withUnsafeBufferPointer { p in
        for (i, y) in labels.enumerated() {
            var best = 0
            for j in 1..<c where p[i * c + j] > p[i * c + best] { best = j }
            if best == y { correct += 1 }
        }
    }
    return correct
}

/// Top-1 accuracy in [0, 1] of `logits: [N, C]` against `labels` (0 for an empty batch).
public func accuracy(logits: Tensor, labels: [Int]) -> Float {
    labels.isEmpty ? 0 : Float(correctCount(logits: logits, labels: labels)) / Float(labels.count)
}
