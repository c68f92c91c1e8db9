/// One layer's line of a ``HardwareReport``.
public struct LayerHardwareReport: Codable, Sendable, Equatable {
    public var name: String
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var outputChannels: Int
    public var stride: Int
    /// K = Cin · kh · kw.
    public var unrolledRows: Int
    public var outputPositions: Int
    public var rowChunks: Int
    public var columnChunks: Int
    public var arrays: Int
    public var pes: Int
    /// Used cells / cells of the layer's arrays.
    public var utilization: Double
    public var weights: Int
    /// Learned values the task stores for this layer (see ``MaskMemory/values``).
    public var maskValues: Int
    public var maskBits: Int
    /// Mask columns that are on (non-zero level, or in a re-programmed PE), as a fraction.
    public var activeColumnFraction: Double
    public var reprogrammedPEs: Int
    public var reprogrammedCells: Int
    public var reprogrammingEnergyMicrojoules: Double
    public var inferenceEnergyMicrojoules: Double
    public var energyMicrojoules: EnergyBreakdown
}

/// Network totals of a ``HardwareReport``.
public struct HardwareTotals: Codable, Sendable, Equatable {
    public var layers: Int
    public var arrays: Int
    public var pes: Int
    public var sparePEs: Int
    public var weights: Int
    public var macs: Int
    /// Used cells / cells of all backbone arrays.
    public var utilization: Double
    /// Learned values the task stores besides its head.
    public var maskValues: Int
    public var maskBits: Int
    /// ⌈maskBits / 8⌉.
    public var maskBytes: Int
    /// Bits the mask buffers hold on chip.
    public var maskBufferBits: Int
    /// Quantized backbone: weights · weightBits / 8.
    public var backboneBytes: Int
    /// maskBits / backbone bits, in percent.
    public var maskOverheadPercent: Double
    public var inferenceEnergyMicrojoules: Double
    /// Energy inside the arrays (row drive, cell read, ADC, shift-adders).
    public var arrayEnergyMicrojoules: Double
    public var reprogrammedPEs: Int
    public var reprogrammedCells: Int
    public var reprogrammingEnergyMicrojoules: Double
    /// M, the inferences the task serves after it is deployed.
    public var inferences: Int
    /// (M · inference energy + re-programming energy) / (M · inference energy) — XMA2 Fig. 5.
    public var totalOverInferenceEnergy: Double
    public var areaSquareMillimeters: Double
}

/// Everything the hardware model says about one network, geometry, method and task.
///
/// Encoded as JSON by `xmask hw --json` (keys as the field names; energies in µJ per image,
/// areas in mm², memory in bits and bytes).
public struct HardwareReport: Codable, Sendable, Equatable {
    public var network: String
    public var preset: String
    public var geometry: CrossbarGeometry
    /// Method name (`xma2`).
    public var method: String
    /// Method with parameters (`xma2(P=0.1, N=3)`).
    public var methodDescription: String
    /// Where the column activity came from: `uniform` or the masks file.
    public var activitySource: String
    public var columnSparsity: Double?
    public var weightSparsity: Double?
    public var includesClassifier: Bool
    public var maskPacking: MaskPacking
    public var totals: HardwareTotals
    public var maskMemory: MaskMemory
    public var energyMicrojoules: EnergyBreakdown
    public var areaSquareMillimeters: AreaBreakdown
    /// Write energy of one cell from level 0 to level 1, 2, … (pJ), from the selected write model.
    public var writeEnergyFromLevelZeroPicojoules: [Double]
    /// The write model `totals` use (``TechnologyParameters/writeModel``).
    public var writeModel: WriteModelKind
    /// Re-programming energy and total/inference over M under every write model (XMA2 Fig. 5).
    public var writeModels: [WriteModelEstimate]
    public var layers: [LayerHardwareReport]
}
