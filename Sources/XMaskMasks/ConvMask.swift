import XMaskNN
import XMaskTensor

/// A task's learned transform of one frozen conv weight (DESIGN.md, "The methods").
///
/// `apply(to:training:)` receives the backbone weight as the crossbar holds it (quantized by the
/// conv's quantizer, never trained) and returns the weight the task's convolution uses. In
/// training it may be stochastic (Gumbel noise) and differentiable with respect to
/// ``parameters``; with `training == false` it is the deterministic mask that
/// ``deployed(frozenWeight:)`` stores.
public protocol ConvMask: AnyObject {
    var layout: ColumnLayout { get }
    /// The task-specific tensors this mask trains, with key segments (`mask`, `weight`).
    var parameters: [(String, Parameter)] { get }
    func apply(to weight: Tensor, training: Bool) -> Tensor
    /// The values the hardware holds for this layer once training is over.
    func deployed(frozenWeight: Tensor) -> DeployedMask
}

/// Min-max normalisation of `m` into [0, 1] over the whole tensor, with the bounds held
/// constant (no gradient through min and max), as KSM's public code and XMA's "normalise the
/// real-valued mask under the range [0, 1]" (XMA2 §3.3.1.1).
func minMaxNormalized(_ m: Tensor) -> Tensor {
    let lo = m.scalars.min() ?? 0, hi = m.scalars.max() ?? 1
    let span = hi - lo
    return span > 0 ? (m - lo) * (1 / span) : m * 0 + 1
}

// MARK: - FineTune

/// FineTune: the task trains its own copy of the weight (quantized by the conv's quantizer in
/// the forward pass). Every cell whose level changes must be re-programmed.
public final class FineTuneMask: ConvMask {
    public let layout: ColumnLayout
    public let weight: Parameter
    let quantizer: WeightQuantizer?

    public init(layout: ColumnLayout, initialWeight: Tensor, quantizer: WeightQuantizer?) {
        self.layout = layout
        self.weight = Parameter(initialWeight.detached())
        self.quantizer = quantizer
    }

    public var parameters: [(String, Parameter)] { [("weight", weight)] }

    public func apply(to weight: Tensor, training: Bool) -> Tensor {
        quantizer.map { $0(self.weight.value) } ?? self.weight.value
    }

    public func deployed(frozenWeight: Tensor) -> DeployedMask {
        .weights(apply(to: frozenWeight, training: false).detached())
    }
}

// MARK: - Piggyback

/// Piggyback (Mallya et al. 2018): a real mask per weight, binarised at τ in the forward pass,
/// straight-through in the backward pass: `W ⊙ 1[m_r ≥ τ]` (XBM eq. 1–2); τ = 5e-3, init 1e-2.
public final class PiggybackMask: ConvMask {
    public let layout: ColumnLayout
    public let mask: Parameter
    public let threshold: Float

    public init(layout: ColumnLayout, threshold: Float = 5e-3, initialValue: Float = 1e-2) {
        self.layout = layout
        self.threshold = threshold
        self.mask = Parameter(Tensor.full(layout.weightShape, initialValue))
    }

    public var parameters: [(String, Parameter)] { [("mask", mask)] }

    public func binary(training: Bool) -> Tensor {
        let m = mask.value
        return training ? straightThrough(forward: m.greaterEqual(threshold), backward: m) : m.greaterEqual(threshold)
    }

    public func apply(to weight: Tensor, training: Bool) -> Tensor { weight * binary(training: training) }

    public func deployed(frozenWeight: Tensor) -> DeployedMask {
        .weightBits(binary(training: false).scalars.map { $0 != 0 ? 1 : 0 })
    }
}

// MARK: - KSM

/// KSM (Yang et al., CVPR 2021): a kernel-wise hybrid binary + real soft mask,
/// `W ⊙ expand(m_b + (1 − m_b)·α·norm(m_r))`, one real value `m_r` per kernel `(cout, cin)`;
/// `m_b` is a hard Gumbel-Sigmoid sample of `m_r − τ` (straight-through), `norm` min-max
/// normalisation, α = 0.5 (the public KSM code's choices; its β and T are options).
public final class KSMMask: ConvMask {
    public let layout: ColumnLayout
    public let mask: Parameter
    public let threshold: Float
    public let alpha: Float
    public var gumbel: GumbelSigmoid
    var rng: SeededGenerator

    public init(layout: ColumnLayout, threshold: Float = 5e-3, initialValue: Float = 1e-2, alpha: Float = 0.5,
                gumbel: GumbelSigmoid, seed: UInt64) {
        self.layout = layout
        self.threshold = threshold
        self.alpha = alpha
        self.gumbel = gumbel
        self.rng = SeededGenerator(seed: seed)
        self.mask = Parameter(Tensor.full([layout.outChannels, layout.inChannels], initialValue))
    }

    public var parameters: [(String, Parameter)] { [("mask", mask)] }

    func soft(training: Bool) -> (soft: Tensor, binary: Tensor) {
        let m = mask.value
        let b = training ? gumbel.sample(m - threshold, using: &rng) : gumbel.deterministic(m - threshold)
        return (b + (1 - b) * (minMaxNormalized(m) * alpha), b)
    }

    public func apply(to weight: Tensor, training: Bool) -> Tensor {
        weight * layout.expandKernels(soft(training: training).soft)
    }

    public func deployed(frozenWeight: Tensor) -> DeployedMask {
        let (s, b) = soft(training: false)
        return .kernelValues(s.detached(), binary: b.scalars.map { $0 != 0 ? 1 : 0 })
    }
}

// MARK: - XBM / XMA

/// XBM (N = 0) and XMA (N ≥ 1): one real mask value per crossbar column `[rowChunks, Cout]`.
///
/// Binary part: a hard Gumbel-Sigmoid sample with keep-probability σ(β·m_r) (XBM eq. 4–6, see
/// ``GumbelSigmoid``). XMA replaces a dropped column's 0 by the shift level nearest to the
/// min-max normalised real mask, among 0 and the N levels 1/2, 1/4, 1/8 (XMA2 §3.3.1):
/// forward `level = b + (1 − b)·q(norm(m_r))`, backward through `p + (1 − p)·norm(m_r)`
/// (straight-through). Evaluation: `b = 1[m_r ≥ 0]`, no noise.
public final class ColumnShiftMask: ConvMask {
    public let layout: ColumnLayout
    public let mask: Parameter
    public let levels: ShiftLevels
    public var gumbel: GumbelSigmoid
    var rng: SeededGenerator

    public init(layout: ColumnLayout, levels: ShiftLevels, gumbel: GumbelSigmoid, initialValue: Float, seed: UInt64) {
        self.layout = layout
        self.levels = levels
        self.gumbel = gumbel
        self.rng = SeededGenerator(seed: seed)
        self.mask = Parameter(Tensor.full([layout.rowChunks, layout.outChannels], initialValue))
    }

    public var parameters: [(String, Parameter)] { [("mask", mask)] }

    /// The per-column levels `[rowChunks, Cout]` (differentiable in training).
    public func columnLevels(training: Bool) -> Tensor {
        let m = mask.value
        if !training {
            let b = gumbel.deterministic(m)
            guard levels.count > 0 else { return b }
            let q = Tensor(shape: m.shape, scalars: minMaxNormalized(m).scalars.map(levels.quantizeDropped))
            return b + (1 - b) * q
        }
        let p = gumbel.relaxed(m, using: &rng)
        let hard = p.greaterEqual(0.5)
        guard levels.count > 0 else { return straightThrough(forward: hard, backward: p) }
        let norm = minMaxNormalized(m)
        let q = Tensor(shape: m.shape, scalars: norm.scalars.map(levels.quantizeDropped))
        return straightThrough(forward: hard + (1 - hard) * q, backward: p + (1 - p) * norm)
    }

    public func apply(to weight: Tensor, training: Bool) -> Tensor {
        weight * layout.expandColumns(columnLevels(training: training))
    }

    public func deployed(frozenWeight: Tensor) -> DeployedMask {
        .columnLevels(columnLevels(training: false).scalars, levels: levels)
    }
}

// MARK: - XMA2

/// XMA2 (Zhang et al., Frontiers 2023): tier-1 re-programs a few PEs, tier-2 puts XMA's shift
/// mask on the rest.
///
/// Before training, ``rankingScale`` (one 1 per PE, `W ⊙ expand(m_PE)`) is differentiated on
/// one batch; the adapter ranks `|∂L/∂m_PE|` over all layers and sets ``replaced`` for the
/// top P %. Those PEs get trainable new weights (initialised from the backbone, quantized by the
/// conv's quantizer, held in spare PEs); all other columns use the tier-2 ``ColumnShiftMask``.
public final class XMA2Mask: ConvMask {
    public let layout: ColumnLayout
    public let columns: ColumnShiftMask
    public let newWeight: Parameter
    let quantizer: WeightQuantizer?
    /// 1 for PEs re-programmed with new weights.
    public var replaced: [UInt8]
    /// Set during ranking: all ones `[peCount]`, differentiated to score PEs.
    public var rankingScale: Parameter?

    public init(layout: ColumnLayout, columns: ColumnShiftMask, initialWeight: Tensor, quantizer: WeightQuantizer?) {
        self.layout = layout
        self.columns = columns
        self.newWeight = Parameter(initialWeight.detached())
        self.quantizer = quantizer
        self.replaced = [UInt8](repeating: 0, count: layout.peCount)
    }

    public var parameters: [(String, Parameter)] {
        var out = columns.parameters
        if replaced.contains(1) { out.append(("weight", newWeight)) }
        return out
    }

    public func apply(to weight: Tensor, training: Bool) -> Tensor {
        if let rankingScale { return weight * layout.expandPEs(rankingScale.value) }
        let shifted = columns.apply(to: weight, training: training)
        guard replaced.contains(1) else { return shifted }
        let pe = layout.expandPEs(Tensor(shape: [layout.peCount], scalars: replaced.map(Float.init)))
        let fresh = quantizer.map { $0(newWeight.value) } ?? newWeight.value
        return pe * fresh + (1 - pe) * shifted
    }

    public func deployed(frozenWeight: Tensor) -> DeployedMask {
        let fresh = (quantizer.map { $0(newWeight.value) } ?? newWeight.value).detached()
        return .replacedPEs(replaced, newWeights: fresh, columnLevels: columns.columnLevels(training: false).scalars,
                            levels: columns.levels)
    }
}
