import XMaskCrossbar
import XMaskNN
import XMaskTensor

/// One conv layer of a model under adaptation: its key, the layer, its frozen weight as the
/// crossbar holds it, and the task's mask.
public struct MaskedConvolution {
    public let key: String
    public let conv: Conv2d
    public let mask: any ConvMask
}

/// Turns a model loaded with the frozen backbone into one task's trainable model.
///
/// Every backbone parameter is frozen; each conv gets the method's ``ConvMask`` through
/// ``XMaskNN/Conv2d/weightTransform``; the head is replaced by a new one for the task's classes;
/// batch-norm affine parameters (and statistics) are per task unless frozen. Nothing here
/// changes a backbone weight, so other tasks cannot be affected. Build a fresh model from the
/// backbone file for every task.
public final class TaskAdapter {
    public let model: any ImageClassifier
    public let config: MaskConfig
    public let geometry: CrossbarGeometry
    public let layers: [MaskedConvolution]
    public let head: Linear
    let batchNorms: [(key: String, layer: BatchNorm2d)]

    public init(model: any ImageClassifier, config: MaskConfig, geometry: CrossbarGeometry, numClasses: Int, seed: UInt64) {
        precondition(numClasses > 1, "TaskAdapter: \(numClasses) classes")
        var rng = SeededGenerator(seed: seed)
        self.model = model
        self.config = config
        self.geometry = geometry
        for (_, p) in model.namedParameters() { p.isTrainable = false }

        let old = model.head
        let head = Linear(old.inFeatures, numClasses, bias: old.bias != nil, using: &rng)
        if let q = old.weightQuantizer { head.weightQuantizer = WeightQuantizer(bits: q.bits, mode: q.mode, initialWeight: head.weight.value) }
        if let q = old.inputQuantizer {
            head.inputQuantizer = ActivationQuantizer(bits: q.bits, initialAlpha: q.alpha.value.item)
            head.inputQuantizer?.alpha.isTrainable = false
        }
        model.head = head
        self.head = head

        batchNorms = model.namedLayers().compactMap { e in (e.layer as? BatchNorm2d).map { (e.key, $0) } }
        for (_, bn) in batchNorms {
            bn.weight.isTrainable = !config.freezeBatchNorm
            bn.bias.isTrainable = !config.freezeBatchNorm
        }

        var built: [MaskedConvolution] = []
        for (index, entry) in model.convolutions.enumerated() {
            let conv = entry.layer
            let layout = ColumnLayout(weightShape: conv.weight.value.shape, geometry: geometry)
            let layerSeed = seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            let gumbel = GumbelSigmoid(beta: config.beta, temperature: config.temperature)
            let mask: any ConvMask
            switch config.method {
            case .fineTune:
                mask = FineTuneMask(layout: layout, initialWeight: conv.weight.value, quantizer: conv.weightQuantizer)
            case .piggyback:
                mask = PiggybackMask(layout: layout, threshold: config.threshold, initialValue: config.realMaskInitial)
            case .ksm:
                mask = KSMMask(layout: layout, threshold: config.threshold, initialValue: config.realMaskInitial,
                               alpha: config.ksmAlpha, gumbel: GumbelSigmoid(beta: config.ksmBeta, temperature: config.temperature),
                               seed: layerSeed)
            case .xbm, .xma:
                mask = ColumnShiftMask(layout: layout, levels: ShiftLevels(count: config.shiftLevels), gumbel: gumbel,
                                       initialValue: config.columnMaskInitial, seed: layerSeed, levelRule: config.xmaLevelRule ?? .nearestSample)
            case .xma2:
                let columns = ColumnShiftMask(layout: layout, levels: ShiftLevels(count: config.shiftLevels), gumbel: gumbel,
                                              initialValue: config.columnMaskInitial, seed: layerSeed,
                                              levelRule: config.xmaLevelRule ?? .nearestSample)
                mask = XMA2Mask(layout: layout, columns: columns, initialWeight: conv.weight.value, quantizer: conv.weightQuantizer)
            }
            conv.weightTransform = { [unowned conv] w in mask.apply(to: w, training: conv.isTraining) }
            built.append(MaskedConvolution(key: entry.key, conv: conv, mask: mask))
        }
        layers = built
    }

    /// The mask tensors (and XMA2's / FineTune's task weights) with their keys (`layer1.0.conv1.mask`).
    public var maskParameters: [(key: String, parameter: Parameter)] {
        layers.flatMap { l in l.mask.parameters.map { (key: l.key + "." + $0.0, parameter: $0.1) } }
    }

    /// The mask tensors of every layer (one Adam group in ``XMaskExperiments`` adaptation).
    public var maskTensorParameters: [Parameter] { layers.flatMap { $0.mask.maskTensors.map(\.1) } }
    /// The task weights of every layer: FineTune's copy, XMA2's re-programmed PEs.
    public var taskWeightParameters: [Parameter] { layers.flatMap { $0.mask.taskWeights.map(\.1) } }

    /// Head and per-task batch-norm parameters with their keys.
    public var headAndNormParameters: [(key: String, parameter: Parameter)] {
        var out: [(key: String, parameter: Parameter)] = [("fc.weight", head.weight)]
        if let b = head.bias { out.append(("fc.bias", b)) }
        for (key, bn) in batchNorms where bn.weight.isTrainable {
            out.append((key + ".weight", bn.weight))
            out.append((key + ".bias", bn.bias))
        }
        return out
    }

    /// Training mode for the whole model; frozen batch norms stay in evaluation mode.
    public func setTraining(_ training: Bool) {
        model.setTraining(training)
        if config.freezeBatchNorm { for (_, bn) in batchNorms { bn.isTraining = false } }
    }

    /// Anneals the Gumbel-Sigmoid β of the column masks to `config.beta(atProgress:)`.
    public func setProgress(_ progress: Double) {
        let beta = config.beta(atProgress: progress)
        for l in layers {
            if let m = l.mask as? ColumnShiftMask { m.gumbel.beta = beta }
            if let m = l.mask as? XMA2Mask { m.columns.gumbel.beta = beta }
        }
    }

    /// The column masks of every layer (XBM, XMA, XMA2's tier 2), with their layer keys.
    public var columnMasks: [(key: String, mask: ColumnShiftMask)] {
        layers.compactMap { l in
            if let m = l.mask as? ColumnShiftMask { return (l.key, m) }
            if let m = l.mask as? XMA2Mask { return (l.key, m.columns) }
            return nil
        }
    }

    /// `λ · mean σ(β·m)` over every column-mask value, the mean keep-probability under the current
    /// β (``MaskConfig/sparsityPenalty``); nil when λ is unset or 0 or the method has no column mask.
    public func sparsityPenalty() -> Tensor? {
        guard let lambda = config.sparsityPenalty, lambda > 0 else { return nil }
        let masks = columnMasks.map(\.mask)
        let count = masks.reduce(0) { $0 + $1.mask.value.count }
        guard count > 0 else { return nil }
        let total = masks.map { sigmoid($0.mask.value * $0.gumbel.beta).sum() }.reduce(Tensor(0), +)
        return total * (lambda / Float(count))
    }

    /// XMA2 tier-1 (Algorithm 1): differentiates a per-PE scale (all ones) on one batch through
    /// `loss`, ranks `|∂L/∂m_PE|` over every layer's PEs and marks the top `peFraction` (at least
    /// one PE when the fraction is positive) for re-programming. Returns the chosen (layer key,
    /// PE index) pairs. Does nothing for other methods.
    @discardableResult
    public func selectPEs(loss: () -> Tensor) -> [(key: String, pe: Int)] {
        guard case let .xma2(fraction, _) = config.method else { return [] }
        let xma2 = layers.compactMap { l in (l.mask as? XMA2Mask).map { (l.key, $0) } }
        for (_, m) in xma2 { m.rankingScale = Parameter(Tensor.ones([m.layout.peCount])) }
        defer { for (_, m) in xma2 { m.rankingScale = nil } }
        let scales = xma2.map { $0.1.rankingScale! }
        let (_, grads) = valueAndGradient(of: model, parameters: scales, loss)
        var scored: [(score: Float, layer: Int, pe: Int)] = []
        for (i, g) in grads.enumerated() {
            for (pe, v) in g.scalars.enumerated() { scored.append((abs(v), i, pe)) }
        }
        let total = scored.count
        let chosenCount = fraction > 0 ? max(1, Int((fraction * Double(total)).rounded())) : 0
        // Stable order: score descending, then layer and PE ascending (reproducible ties).
        scored.sort { ($0.score, -$0.layer, -$0.pe) > ($1.score, -$1.layer, -$1.pe) }
        var chosen: [(key: String, pe: Int)] = []
        for (_, layer, pe) in scored.prefix(chosenCount) {
            xma2[layer].1.replaced[pe] = 1
            chosen.append((xma2[layer].0, pe))
        }
        return chosen
    }

    /// What the task keeps once trained: deployed masks, head and batch-norm state.
    public func deploy() -> TaskState {
        var deployed: [DeployedLayer] = []
        for l in layers {
            let frozen = (l.conv.weightQuantizer.map { $0(l.conv.weight.value) } ?? l.conv.weight.value).detached()
            deployed.append(DeployedLayer(key: l.key, layout: l.mask.layout, mask: l.mask.deployed(frozenWeight: frozen)))
        }
        var headState: [String: Tensor] = [:]
        for (k, p) in head.namedParameters() { headState["fc." + k] = p.value.detached() }
        var norms: [String: Tensor] = [:]
        for (key, bn) in batchNorms {
            for (k, p) in bn.namedParameters() { norms[key + "." + k] = p.value.detached() }
        }
        return TaskState(config: config, numClasses: head.outFeatures, layers: deployed, head: headState, batchNorm: norms)
    }
}
