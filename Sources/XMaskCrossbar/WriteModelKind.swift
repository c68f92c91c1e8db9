/// Which re-programming energy model a technology uses (``TechnologyParameters/writeModel``).
public enum WriteModelKind: String, Codable, Sendable, CaseIterable {
    /// Physical: NeuroSim's 1T1R write model with the technology's pulses, voltage and
    /// conductances (``WriteModel``); tens to hundreds of pJ per written cell.
    case neurosim
    /// A calibration to the papers' figures (XMA2 Fig. 5, XBM Fig. 6; ``PapersWriteCalibration``):
    /// NeuroSim's per-transition shape scaled to ``TechnologyParameters/papersCellFullRangeWriteEnergyNanojoules``
    /// for FineTune, Piggyback and KSM, and a cost per cell of each re-programmed PE for XMA2
    /// (``TechnologyParameters/papersPEWriteEnergyPerCellNanojoules``). Not a claim about device physics.
    case papers

    /// M the model is stated at when the caller gives none: 1 for NeuroSim, the papers' test-set size for the papers.
    public var defaultInferences: Int {
        switch self {
        case .neurosim: return 1
        case .papers: return PapersWriteCalibration.inferences
        }
    }

    /// Fraction of Piggyback/KSM weights re-programmed when the caller gives none: nil (the caller's
    /// own default) for NeuroSim, the papers' sparsity for the papers model.
    public var defaultWeightSparsity: Double? {
        switch self {
        case .neurosim: return nil
        case .papers: return PapersWriteCalibration.piggybackZeroedWeights
        }
    }
}

/// The figures of XMA2 (Zhang et al., Frontiers in Electronics 2023, §5.2, Fig. 5) and XBM
/// (Zhang et al., DATE 2022, §IV-B, Fig. 6) that the `papers` write model is calibrated to, the
/// M and sparsities it assumes, and the derivation of its two numbers. The module README
/// (section "The papers write model") gives the arithmetic.
public enum PapersWriteCalibration {
    /// XMA2 §5.2: Piggyback's re-programming "elevates the total energy up to 8.16×".
    public static let piggybackTotalOverInference = 8.16
    /// XMA2 §5.2: XMA2 "reduces the total energy consumption to 13.72× and 4.38×" of fine-tuning's and Piggyback's.
    public static let fineTuneOverXMA2Total = 13.72, piggybackOverXMA2Total = 4.38
    /// Fine-tuning's total/inference energy the three figures imply with equal FT and Piggyback
    /// inference energies (XBM Table III): 8.16 · 13.72 / 4.38 = 25.56 (XBM Fig. 6: "over 20×").
    public static var fineTuneTotalOverInference: Double { piggybackTotalOverInference * fineTuneOverXMA2Total / piggybackOverXMA2Total }
    /// M: the test set of the smallest task, Sketch (20,000 images, 80/20 split as Piggyback's = 4,000), where
    /// "up to" is reached (the ratio falls with M). XBM Fig. 6 states the ratio "compared to the inference energy of the entire test set".
    public static let inferences = 4_000
    /// Fraction of weights Piggyback zeroes (and so re-programs): 30 %, XBM Fig. 4's mask sparsity.
    public static let piggybackZeroedWeights = 0.30
    /// The hardware and network of the figures: XBM Table II preset, ResNet-50 at 224, no head.
    public static let network = NetworkModel.resnet50, imageSize = 224

    /// ``derive(preset:network:)`` on xbm-32nm rounded to 4 digits, as the presets ship them (a test re-derives them):
    /// 157.0 nJ per full-range cell write (NeuroSim's is 141.7 pJ: ≈ 1,100×) and 18.98 nJ per cell of a re-programmed PE.
    public static let cellFullRangeNanojoules = 157.0, peCellNanojoules = 18.98

    /// The two numbers of the papers model for `preset`, derived from the figures: a full-range
    /// cell write (nJ) that makes fine-tuning's total/inference ``fineTuneTotalOverInference`` at M,
    /// and an energy per cell of a re-programmed PE (nJ) that makes fine-tuning's total ``fineTuneOverXMA2Total``
    /// times XMA2's (P = 10 %, N = 3, no column sparsity). Piggyback's ratio is not fitted: it checks the model.
    /// `shape` is ``network`` at ``imageSize`` (the caller builds it: the layer shapes are the NN model's).
    public static func derive(preset: HardwarePreset = .xbm32nm, network shape: NetworkShape) throws -> (cellFullRangeNanojoules: Double, peCellNanojoules: Double) {
        let m = Double(inferences)
        var p = preset
        p.technology.writeModel = .neurosim
        let model = HardwareModel(preset: p)
        let ft = try model.report(network: shape, method: .fineTune, inferences: inferences)
        let xma2 = try model.report(network: shape, method: .xma2(peFraction: 0.1, shiftLevels: 3), inferences: inferences)
        // Fine-tuning: NeuroSim's transitions scaled so that E_reprog = (ratio − 1) · M · E_inf.
        let g = ft.geometry
        let neuroSimFullRange = WriteModel(technology: p.technology, geometry: g).energyPicojoules[0][g.cellLevels - 1]
        let wantedFT = (fineTuneTotalOverInference - 1) * m * ft.totals.inferenceEnergyMicrojoules
        let cell = neuroSimFullRange * wantedFT / ft.totals.reprogrammingEnergyMicrojoules * 1e-3
        // XMA2: total = FT total / 13.72, the rest after its inference energy is re-programming.
        let ftTotal = fineTuneTotalOverInference * m * ft.totals.inferenceEnergyMicrojoules
        let wantedXMA2 = ftTotal / fineTuneOverXMA2Total - m * xma2.totals.inferenceEnergyMicrojoules
        let cells = Double(xma2.totals.reprogrammedPEs * g.arraysPerPE * g.arrayRows * g.arrayColumns)
        return (cell, wantedXMA2 / cells * 1e3)
    }
}

/// (M · E_inference + E_reprogramming) / (M · E_inference) at one M (XMA2 Fig. 5's y-axis).
public struct TotalOverInferencePoint: Codable, Sendable, Equatable {
    public var inferences: Int
    public var totalOverInferenceEnergy: Double
}

/// One write model's re-programming energy of a task and its total/inference ratio over M.
public struct WriteModelEstimate: Codable, Sendable, Equatable {
    public var writeModel: WriteModelKind
    public var reprogrammingEnergyMicrojoules: Double
    /// At the report's M.
    public var totalOverInferenceEnergy: Double
    /// At M = 1, 10, …, 10⁶ (``TotalOverInferencePoint``), XMA2 Fig. 5's quantity on a log axis.
    public var totalOverInferenceEnergyByM: [TotalOverInferencePoint]

    public init(writeModel: WriteModelKind, inferenceMicrojoules: Double, reprogrammingMicrojoules: Double, inferences: Int) {
        self.writeModel = writeModel
        reprogrammingEnergyMicrojoules = reprogrammingMicrojoules
        totalOverInferenceEnergy = Self.totalOverInference(inferenceMicrojoules: inferenceMicrojoules,
                                                           reprogrammingMicrojoules: reprogrammingMicrojoules, inferences: inferences)
        totalOverInferenceEnergyByM = Self.series(inferenceMicrojoules: inferenceMicrojoules, reprogrammingMicrojoules: reprogrammingMicrojoules)
    }

    /// M = 10^0 … 10^6.
    public static let decades = (0...6).map { Int(pow10($0)) }

    /// (M · E_inf + E_reprog) / (M · E_inf); 1 when nothing is spent.
    public static func totalOverInference(inferenceMicrojoules: Double, reprogrammingMicrojoules: Double, inferences: Int) -> Double {
        let m = Double(inferences) * inferenceMicrojoules
        return m > 0 ? (m + reprogrammingMicrojoules) / m : 1
    }

    /// The ratio at each M of `inferences` (default ``decades``).
    public static func series(inferenceMicrojoules: Double, reprogrammingMicrojoules: Double,
                              inferences: [Int] = decades) -> [TotalOverInferencePoint] {
        inferences.map { TotalOverInferencePoint(inferences: $0, totalOverInferenceEnergy:
            totalOverInference(inferenceMicrojoules: inferenceMicrojoules, reprogrammingMicrojoules: reprogrammingMicrojoules, inferences: $0)) }
    }
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }
