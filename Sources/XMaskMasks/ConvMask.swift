import XMaskNN
import XMaskTensor

/// A task's learned transform of one frozen conv weight (docs/architecture.md, "The methods").
///
/// `apply(to:training:)` receives the backbone weight as the crossbar holds it (quantized by the
/// conv's quantizer, never trained) and returns the weight the task's convolution uses. In
/// training it may be stochastic (Gumbel noise) and differentiable with respect to
/// ``parameters``; with `training == false` it is the deterministic mask that
/// ``deployed(frozenWeight:)`` stores.
public protocol ConvMask: AnyObject {
    var layout: ColumnLayout { get }
    /// The mask tensors this mask trains, with key segments (`mask`).
    var maskTensors: [(String, Parameter)] { get }
    /// The task's own weights it trains (FineTune's copy, XMA2's re-programmed PEs), with key
    /// segments (`weight`); they get their own learning rate.
    var taskWeights: [(String, Parameter)] { get }
    func apply(to weight: Tensor, training: Bool) -> Tensor
    /// The values the hardware holds for this layer once training is over.
    func deployed(frozenWeight: Tensor) -> DeployedMask
}

extension ConvMask {
    public var maskTensors: [(String, Parameter)] { [] }
    public var taskWeights: [(String, Parameter)] { [] }
    /// Every task-specific tensor this mask trains: mask tensors, then task weights.
    public var parameters: [(String, Parameter)] { maskTensors + taskWeights }
}

/// Min-max normalisation of `m` into [0, 1] over the whole tensor, with the bounds held
/// constant (no gradient through min and max), as KSM's public code does for its soft part.
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

    public var taskWeights: [(String, Parameter)] { [("weight", weight)] }

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

    public var maskTensors: [(String, Parameter)] { [("mask", mask)] }

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

    public var maskTensors: [(String, Parameter)] { [("mask", mask)] }

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
/// ``GumbelSigmoid``). XMA replaces a dropped column's 0 by a shift level (XMA2 §3.3.1: "normalise
/// the real-valued mask under the range [0, 1]", then take the nearest of 0, 1/8, 1/4, 1/2).
/// The normalisation into [0, 1] is the relaxed sample `p = σ((β·m_r + g0 − g1)/T)` itself, so
/// one monotone staircase runs from 0 through 1/8, 1/4, 1/2 (p < 0.5) to 1 (p ≥ 0.5):
/// forward `level = 1[p ≥ 0.5] + 1[p < 0.5]·q(p)`, backward through `p` (straight-through, the
/// same estimator as XBM's; N = 0 is XBM exactly). Evaluation uses the noise-free
/// `p = σ(β·m_r/T)`: keep iff `m_r ≥ 0`, as XBM.
///
/// Why not the paper's layer-wide min-max of `m_r`: measured on Animal-MNIST (BENCHMARKS.md,
/// "XMA's shift level"), it put XMA below XBM. The min-max bounds are set by outlying columns,
/// so a column's level depended on other columns; its gradient carries a factor 1/(max − min),
/// which is huge while the masks are still close to their common initial value; and a dropped
/// column almost never reached level 0, so XMA gated no column.
public final class ColumnShiftMask: ConvMask {
    public let layout: ColumnLayout
    public let mask: Parameter
    public let levels: ShiftLevels
    /// How a dropped column's level is chosen (XMA, XMA2; no effect with N = 0).
    public let levelRule: XMALevelRule
    public var gumbel: GumbelSigmoid
    var rng: SeededGenerator

    public init(layout: ColumnLayout, levels: ShiftLevels, gumbel: GumbelSigmoid, initialValue: Float, seed: UInt64,
                levelRule: XMALevelRule = .nearestSample) {
        self.layout = layout
        self.levels = levels
        self.levelRule = levelRule
        self.gumbel = gumbel
        self.rng = SeededGenerator(seed: seed)
        self.mask = Parameter(Tensor.full([layout.rowChunks, layout.outChannels], initialValue))
    }

    public var maskTensors: [(String, Parameter)] { [("mask", mask)] }

    /// The per-column levels `[rowChunks, Cout]` (differentiable in training).
    ///
    /// With ``XMALevelRule/minMax`` the keep/drop decision is the same (`p ≥ 0.5`, in evaluation
    /// `m ≥ 0`), a dropped column's level comes from ``ShiftLevels/minMaxLevels(_:dropped:)`` of
    /// the real masks, and the backward pass is the same straight-through one through `p`.
    public func columnLevels(training: Bool) -> Tensor {
        let m = mask.value
        if !training {
            // Kept iff m ≥ 0 exactly (σ can round to 0.5 just below 0).
            if levelRule == .minMax {
                return Tensor(shape: m.shape, scalars: levels.minMaxLevels(m.scalars, dropped: m.scalars.map { $0 < 0 }))
            }
            let p = gumbel.noiseFree(m)
            return Tensor(shape: m.shape, scalars: zip(m.scalars, p.scalars).map { $0 >= 0 ? 1 : levels.quantizeDropped($1) })
        }
        let p = gumbel.relaxed(m, using: &rng)
        let forward = levelRule == .minMax ? levels.minMaxLevels(m.scalars, dropped: p.scalars.map { $0 < 0.5 }) : p.scalars.map(levels.level)
        return straightThrough(forward: Tensor(shape: p.shape, scalars: forward), backward: p)
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

    public var maskTensors: [(String, Parameter)] { columns.maskTensors }
    public var taskWeights: [(String, Parameter)] { replaced.contains(1) ? [("weight", newWeight)] : [] }

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
