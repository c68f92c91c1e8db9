import XMaskTensor

/// Batch normalisation over the channels of NCHW images (PyTorch's `nn.BatchNorm2d`;
/// Ioffe & Szegedy 2015, Algorithm 1 and §3.1).
///
/// Shapes: input and output `[N, C, H, W]` (or `[N, C]`); `weight` (γ), `bias` (β),
/// `running_mean`, `running_var`: `[C]`; `num_batches_tracked`: a scalar buffer.
/// Training: `y = γ·(x − μ_B)/√(σ²_B + ε) + β` with the biased batch variance σ²_B, and the
/// running statistics move as PyTorch's: `r ← (1 − m)·r + m·s`, using the unbiased variance
/// `σ²_B · n/(n − 1)` (n = N·H·W) for `running_var`; `num_batches_tracked += 1`.
/// Evaluation: the running statistics replace the batch's. Momentum 0.1, ε = 1e-5 by default.
/// `num_batches_tracked` is kept (as a `Float` scalar) so that state dicts have torchvision's
/// keys; it is counted but not used (momentum is fixed).
public final class BatchNorm2d: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public let batchesTracked: Parameter
    public let momentum: Float
    public let epsilon: Float
    public var isTraining = true
    /// When `false`, training mode still normalises with batch statistics but leaves the
    /// running statistics alone.
    public var updatesRunningStatistics = true

    public var channels: Int { weight.value.shape[0] }

    /// γ = 1, β = 0, running mean 0, running variance 1 (PyTorch's initial state).
    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(channels > 0, "BatchNorm2d: \(channels) channels")
        self.weight = Parameter(Tensor.ones([channels]))
        self.bias = Parameter(Tensor.zeros([channels]))
        self.runningMean = Parameter(Tensor.zeros([channels]), kind: .buffer)
        self.runningVariance = Parameter(Tensor.ones([channels]), kind: .buffer)
        self.batchesTracked = Parameter(Tensor(0), kind: .buffer)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// A batch norm from given tensors (tests, imported weights).
    public init(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVariance: Tensor,
                momentum: Float = 0.1, epsilon: Float = 1e-5) {
        let c = weight.shape
        precondition(c.count == 1 && bias.shape == c && runningMean.shape == c && runningVariance.shape == c,
                     "BatchNorm2d: weight \(weight.shape), bias \(bias.shape), running mean \(runningMean.shape), running variance \(runningVariance.shape) must all be [C]")
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
        self.runningMean = Parameter(runningMean, kind: .buffer)
        self.runningVariance = Parameter(runningVariance, kind: .buffer)
        self.batchesTracked = Parameter(Tensor(0), kind: .buffer)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var ownParameters: [(String, Parameter)] {
        [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVariance),
         ("num_batches_tracked", batchesTracked)]
    }

    public var children: [(String, any Layer)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition((x.rank == 4 || x.rank == 2) && x.shape[1] == channels,
                     "BatchNorm2d(\(channels)): input \(x.shape) must be [N, \(channels), H, W]")
        guard isTraining else {
            return batchNorm(x, scale: weight.value, offset: bias.value, runningMean: runningMean.value,
                             runningVariance: runningVariance.value, epsilon: epsilon)
        }
        let (y, mean, variance) = batchNorm(x, scale: weight.value, offset: bias.value, epsilon: epsilon)
        if updatesRunningStatistics {
            let n = x.count / channels
            let correction: Float = n > 1 ? Float(n) / Float(n - 1) : 1
            let m = momentum
            runningMean.value = Tensor(shape: [channels], scalars: zip(runningMean.value.scalars, mean.scalars).map {
                (1 - m) * $0 + m * $1
            })
            runningVariance.value = Tensor(shape: [channels], scalars: zip(runningVariance.value.scalars, variance.scalars).map {
                (1 - m) * $0 + m * ($1 * correction)
            })
            batchesTracked.value = Tensor(batchesTracked.value.item + 1)
        }
        return y
    }
}
