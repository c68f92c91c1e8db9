/// A named hardware configuration: a geometry plus the technology numbers, with its source.
///
/// Every number of a preset is a field of ``CrossbarGeometry`` or ``TechnologyParameters``,
/// so a config file or a flag can override any of them by name (see ``HardwareConfig``).
public struct HardwarePreset: Codable, Sendable, Equatable {
    /// Short name used by `--preset`.
    public var name: String
    /// One line: what the preset models.
    public var summary: String
    /// Where its numbers come from.
    public var source: String
    public var geometry: CrossbarGeometry
    public var technology: TechnologyParameters

    public init(name: String, summary: String, source: String, geometry: CrossbarGeometry, technology: TechnologyParameters) {
        self.name = name
        self.summary = summary
        self.source = source
        self.geometry = geometry
        self.technology = technology
    }

    /// Checks geometry and technology.
    public func validate() throws {
        try geometry.validate()
        try technology.validate()
    }

    /// All built-in presets; the first is the default.
    public static var all: [HardwarePreset] { [.xbm32nm, .neuroSim22nm] }

    /// The default preset's name.
    public static var defaultName: String { xbm32nm.name }

    /// The preset with this name, or an error listing the known names.
    public static func named(_ name: String) throws -> HardwarePreset {
        if let preset = all.first(where: { $0.name == name.lowercased() }) { return preset }
        throw CrossbarError.unsupported("unknown preset '\(name)': expected one of \(all.map(\.name).joined(separator: ", "))")
    }
}

extension HardwarePreset {
    /// XBM Table II (Zhang et al., DATE 2022): 32 nm CMOS, HfO₂ 2-bit 1T1R cells from Wu et al.
    /// 2018, 72×72 arrays, one 5-bit SAR ADC per column, 4-bit weights and activations.
    ///
    /// Table II gives energy per *array activation*; xmask reads an activation as one input
    /// vector applied bit-serially (4 bit-plane reads of a full 72×72 array) and divides each
    /// component by the events it is made of (derivations below, `XBMTable2`). With those
    /// per-event energies, unused rows/columns of a partly filled array spend nothing, which is
    /// how NeuroSim (the simulator XBM used) counts them.
    public static let xbm32nm = HardwarePreset(
        name: "xbm-32nm",
        summary: "XBM Table II: 32 nm, HfO2 1T1R 2-bit cells, 72x72 arrays, 5-bit SAR ADC per column",
        source: "Zhang et al., XBM, DATE 2022, Table II (energies, areas); write model: DNN+NeuroSim V2.1 Param.cpp defaults for the Wu et al. 2018 HfOx device",
        geometry: CrossbarGeometry(arrayRows: 72, arrayColumns: 72, cellBits: 2, weightBits: 4,
                                   activationBits: 4, adcBits: 5, columnsPerADC: 1,
                                   peArrayRows: 2, peArrayColumns: 2, sparePEFraction: 0.1),
        technology: TechnologyParameters(
            rowDriveEnergyPicojoules: XBMTable2.switchMatrixEnergyPicojoules * XBMTable2.wordLineShare / Double(XBMTable2.rows * XBMTable2.readsPerActivation),
            columnDriveEnergyPicojoules: XBMTable2.switchMatrixEnergyPicojoules * (1 - XBMTable2.wordLineShare) / Double(XBMTable2.columns * XBMTable2.readsPerActivation),
            wordLineEnergyPerCellPicojoules: 0,  // Table II lists no energy for the memory array itself
            arrayReadEnergyPerCellPicojoules: 0,
            inputBitDensity: 0.5,
            adcKind: .sar,
            adcEnergyPerConversionPicojoules: XBMTable2.adcEnergyPicojoules / Double(XBMTable2.columns * XBMTable2.readsPerActivation),
            adcPeripheryEnergyPerConversionPicojoules: 0,
            convertsUnusedColumns: false,
            adcReferenceBits: 5,
            shiftAddInputEnergyPerConversionPicojoules: XBMTable2.shiftAddInputEnergyPicojoules / Double(XBMTable2.columns * XBMTable2.readsPerActivation),
            shiftAddWeightEnergyPicojoules: XBMTable2.shiftAddWeightEnergyPicojoules / Double(XBMTable2.columns / XBMTable2.cellsPerWeight * XBMTable2.readsPerActivation),
            maskBufferEnergyPerBitPicojoules: 0.003,
            adderTreeEnergyPer128UnitsPicojoules: [4.4, 13.7, 32.6],
            reluEnergyPer128UnitsPicojoules: 0.9,
            globalBufferEnergyPerBitPicojoules: 0.003,
            interconnectEnergyPerBitPicojoules: 0,  // Table II has no interconnect entry
            pipelinedInterconnectFactor: 1,
            cellAreaSquareMicrometers: XBMTable2.memoryArrayAreaSquareMicrometers / Double(XBMTable2.rows * XBMTable2.columns),
            rowDriverAreaSquareMicrometers: XBMTable2.switchMatrixAreaSquareMicrometers / Double(XBMTable2.rows),
            adcAreaSquareMicrometers: XBMTable2.adcAreaSquareMicrometers / Double(XBMTable2.columns),
            shiftAddInputAreaSquareMicrometers: XBMTable2.shiftAddInputAreaSquareMicrometers / Double(XBMTable2.columns),
            shiftAddWeightAreaSquareMicrometers: XBMTable2.shiftAddWeightAreaSquareMicrometers / Double(XBMTable2.columns / XBMTable2.cellsPerWeight),
            maskBufferAreaPerBitSquareMicrometers: XBMTable2.maskBufferAreaSquareMicrometers / Double(XBMTable2.columns),
            adderTreeAreaPer128UnitsSquareMicrometers: [2_510.3, 7_740.1, 18_408.8],
            reluAreaPer128UnitsSquareMicrometers: 939.5,
            globalBufferAreaPerBitSquareMicrometers: XBMTable2.globalBufferAreaSquareMicrometers / Double(XBMTable2.globalBufferBits),
            writeVoltageVolts: 4,
            writePulseWidthNanoseconds: 50,
            writePulsesFullRange: 32,
            onResistanceOhms: 100e3,
            offResistanceOhms: 1e6,
            bitLineCapacitancePerRowFemtofarads: 0.0256,
            papersCellFullRangeWriteEnergyNanojoules: PapersWriteCalibration.cellFullRangeNanojoules,
            papersPEWriteEnergyPerCellNanojoules: PapersWriteCalibration.peCellNanojoules))
}

/// The numbers of XBM Table II (Zhang et al., "XBM: A Crossbar Column-wise Binary Mask
/// Learning Method for Efficient Multiple Task Adaption", DATE 2022) and how the per-event
/// values of ``HardwarePreset/xbm32nm`` are derived from them.
///
/// Write model (not in Table II; XBM and XMA2 cite Wu et al. 2018 and NeuroSim for it):
/// DNN+NeuroSim V2.1 `Param.cpp` defaults, which model the Wu et al. 2018 HfOx device
/// (VLSI 2018: 50 ns pulses, 10× window, 100 kΩ on-state): write voltage 4 V, pulse width
/// 50 ns, 32 pulses across the full range, Ron 100 kΩ, Roff 1 MΩ. Bit-line capacitance per
/// row: 0.2 fF/µm (a typical local-wire figure) × the 1T1R cell pitch 4F = 0.128 µm at
/// 32 nm (NeuroSim `heightInFeatureSize1T1R = 4`) — xmask's estimate; the wire term is < 1 %
/// of the write energy with these values.
public enum XBMTable2 {
    /// Array size of Table II ("Memory Array (72 × 72)").
    public static let rows = 72, columns = 72
    /// 4-bit weights on 2-bit cells: "We use two adjacent columns to represent the 4-bit weight" (§III-C).
    public static let cellsPerWeight = 2
    /// Bit-plane reads per array activation: 4-bit activations applied bit-serially (xmask's reading of Table II).
    public static let readsPerActivation = 4
    /// Switch matrix (WL and SL): 1.1 pJ per activation, 457.3 µm².
    public static let switchMatrixEnergyPicojoules = 1.1, switchMatrixAreaSquareMicrometers = 457.3
    /// Share of the switch matrix's energy in its WL (row) half. Table II gives one figure for both
    /// halves; each drives 72 lines of one array (72 rows, 72 columns), so xmask splits it evenly.
    /// The SL half is per column: XBM §III-C connects the SL "with cell transistor gates of the
    /// whole column" and sends the column's mask bit to "the SL driver's input to turn on/off the
    /// entire column", so a gated column's SL driver does not switch (``TechnologyParameters/columnDriveEnergyPicojoules``).
    public static let wordLineShare = 0.5
    /// SAR ADC (5-bit), one per column: 8.3 pJ per activation, 8,409.3 µm² for the array's 72 ADCs.
    public static let adcEnergyPicojoules = 8.3, adcAreaSquareMicrometers = 8_409.3
    /// Shift-Add-Input: 6.8 pJ, 1,412.9 µm².
    public static let shiftAddInputEnergyPicojoules = 6.8, shiftAddInputAreaSquareMicrometers = 1_412.9
    /// Shift-Add-Weight ("2 col use 1"): 1.0 pJ, 825.8 µm².
    public static let shiftAddWeightEnergyPicojoules = 1.0, shiftAddWeightAreaSquareMicrometers = 825.8
    /// Memory array 72 × 72: 84.93 µm² (= 16F² per 1T1R cell at 32 nm).
    public static let memoryArrayAreaSquareMicrometers = 84.93
    /// Mask buffer 72 × 1: 190.4 µm², 0.003 pJ/bit/access.
    public static let maskBufferAreaSquareMicrometers = 190.4
    /// Sub-array total: 17.2 pJ per activation, 11,380.2 µm².
    public static let subArrayEnergyPicojoules = 17.2, subArrayAreaSquareMicrometers = 11_380.2
    /// Global buffer 64 × 112 × 112 × 4 bits: 8,490,034 µm².
    public static let globalBufferBits = 64 * 112 * 112 * 4, globalBufferAreaSquareMicrometers = 8_490_034.0
}
