/// `x − log Σ exp(x)` along `axis`, computed stably (a composite: the max shift is a constant,
/// so its gradient vanishes exactly).
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let a = Tensor.normalizedAxis(axis, rank: x.rank, op: "logSoftmax")
    let shift = x.detached().max(axes: [a], keepDims: true)
    let shifted = x - shift
    return shifted - log(exp(shifted).sum(axes: [a], keepDims: true))
}

/// Mean cross-entropy of `logits: [N, C]` against integer `labels`, with optional label
/// smoothing ε (target `(1 − ε)·onehot + ε/C`, as PyTorch's `label_smoothing`). A composite.
public func crossEntropy(logits: Tensor, labels: [Int], labelSmoothing: Float = 0) -> Tensor {
    precondition(logits.rank == 2, "crossEntropy: logits \(logits.shape) must be [N, C]")
    let (n, c) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "crossEntropy: \(labels.count) labels for logits \(logits.shape)")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: label smoothing \(labelSmoothing) outside [0, 1]")
    var target = [Float](repeating: labelSmoothing / Float(c), count: n * c)
    for (i, y) in labels.enumerated() {
        precondition(y >= 0 && y < c, "crossEntropy: label \(y) at row \(i) outside 0..<\(c)")
        target[i * c + y] += 1 - labelSmoothing
    }
    let t = Tensor(shape: [n, c], scalars: target)
    return -(logSoftmax(logits, axis: 1) * t).sum() * (1 / Float(n))
}
