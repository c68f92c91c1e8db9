/// The kind of ADC, which decides how its energy and area scale with resolution.
public enum ADCKind: String, Codable, Sendable, CaseIterable {
    /// Successive-approximation ADC (XBM Table II). Modelled as energy ∝ bits (one
    /// comparator decision per bit cycle) and area ∝ 2^bits (binary-weighted capacitor DAC).
    case sar
    /// NeuroSim's multi-level sense-amp ADC: one sense amp per reference level, so energy and
    /// area ∝ 2^bits − 1 (NeuroSim `MultilevelSenseAmp`).
    case multilevelSenseAmp = "multilevel-sense-amp"

    /// Energy (and area) of a `bits`-bit ADC relative to one of `referenceBits` bits, by the
    /// scaling law of this kind (area: see ``areaScale(bits:referenceBits:)``).
    public func energyScale(bits: Int, referenceBits: Int) -> Double {
        switch self {
        case .sar: return Double(bits) / Double(referenceBits)
        case .multilevelSenseAmp: return (pow2(bits) - 1) / (pow2(referenceBits) - 1)
        }
    }

    /// Area of a `bits`-bit ADC relative to one of `referenceBits` bits.
    public func areaScale(bits: Int, referenceBits: Int) -> Double {
        switch self {
        case .sar: return pow2(bits) / pow2(referenceBits)
        case .multilevelSenseAmp: return (pow2(bits) - 1) / (pow2(referenceBits) - 1)
        }
    }
}

@inline(__always) func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }

/// Per-event energies, per-unit areas and the cell write model of one technology.
///
/// Every field is a named, documented number; a preset (``HardwarePreset``) fills them from its
/// source and says how each was derived. "Read" below means one bit-plane read of one array
/// (bit-serial input); an "input vector" is one output position's `activationBits` reads.
public struct TechnologyParameters: Codable, Sendable, Equatable, Hashable {
    // MARK: Energy per event

    /// Row (WL) driver / switch matrix energy per driven row per read (pJ).
    public var rowDriveEnergyPicojoules: Double
    /// Column (SL) driver energy per driven cell column per read (pJ). XBM §III-C wires each
    /// column's select line to the gates of the whole column and feeds the column's mask bit to
    /// its SL driver, so a gated column's driver does not switch; booked with the row drive
    /// under "switch matrix". 0 where the columns have no driver of their own (NeuroSim).
    public var columnDriveEnergyPicojoules: Double = 0
    /// Word-line charging per cell along a driven row (the array's full width) per read, times
    /// ``inputBitDensity`` — only rows whose input bit is 1 are charged (pJ). Not gated by masks.
    public var wordLineEnergyPerCellPicojoules: Double
    /// Per read of an array, per cell of the whole array (R · C): bit-line precharge and column
    /// periphery that every read pays (pJ).
    public var arrayReadEnergyPerCellPicojoules: Double
    /// Whether a layer is fed NeuroSim's count of input vectors, ⌊(H − kh + 1)/s · (W − kw + 1)/s⌋
    /// (V1.5 `Chip.cpp` `numInVector`: no padding), instead of its output positions (padding "same").
    /// The two differ most for 3×3 convs on small maps (4×4 → 4 vectors, not 16), not at all for 1×1.
    public var countsNeuroSimInputVectors: Bool = false
    /// Fraction of input activation bits that are 1 (scales ``wordLineEnergyPerCellPicojoules``).
    /// Random 4-bit activations with a fraction z of zeros: (1 − z) · 8/15 (mean popcount of 1…15 over 4 bits).
    public var inputBitDensity: Double
    /// The ADC's kind (scaling law with resolution).
    public var adcKind: ADCKind
    /// ADC energy per conversion (one cell column, one read) at ``adcReferenceBits`` (pJ).
    public var adcEnergyPerConversionPicojoules: Double
    /// Periphery energy per conversion outside the ADC that scales like it (reference levels,
    /// encoders) at ``adcReferenceBits`` (pJ).
    public var adcPeripheryEnergyPerConversionPicojoules: Double
    /// Whether every column of a read array is converted, used or not (NeuroSim: 8 columns per
    /// ADC, all converted), or only the columns holding weights. Gated columns are never converted.
    public var convertsUnusedColumns: Bool
    /// Resolution at which the ADC energy and area fields are given.
    public var adcReferenceBits: Int
    /// Input shift-adder energy per conversion at ``adcReferenceBits`` (joins the bit-plane
    /// partial sums); scales with adcBits / adcReferenceBits, as the adder is as wide as the ADC output (pJ).
    public var shiftAddInputEnergyPerConversionPicojoules: Double
    /// Weight shift-adder energy per join of two cell columns of one weight, per read: a weight
    /// column costs (cellsPerWeight − 1) joins per read (pJ).
    public var shiftAddWeightEnergyPicojoules: Double
    /// Mask buffer read energy per bit per access (pJ); one access per array per input vector.
    public var maskBufferEnergyPerBitPicojoules: Double
    /// Energy of one operation of a 128-unit adder tree with 1, 2, 3, … stages (pJ).
    /// Trees deeper than the list use the last entry's energy per addition.
    public var adderTreeEnergyPer128UnitsPicojoules: [Double]
    /// ReLU energy per 128 outputs (pJ).
    public var reluEnergyPer128UnitsPicojoules: Double
    /// Global buffer energy per bit per access (pJ); bits into a layer (K · positions ·
    /// activation bits) are read, bits out (Cout · positions · activation bits) are written.
    public var globalBufferEnergyPerBitPicojoules: Double
    /// On-chip interconnect energy per bit moved (same volumes as the buffer), layer by layer (pJ).
    public var interconnectEnergyPerBitPicojoules: Double
    /// Interconnect energy of a pipelined chip (``CrossbarGeometry/pipelineSpeedUp`` > 1) over a
    /// layer-by-layer one: a larger, duplicated chip moves data further.
    public var pipelinedInterconnectFactor: Double

    // MARK: Area per unit

    /// One 1T1R cell (µm²).
    public var cellAreaSquareMicrometers: Double
    /// Row driver / switch matrix (and other per-row periphery) per array row (µm²).
    public var rowDriverAreaSquareMicrometers: Double
    /// One ADC at ``adcReferenceBits`` (µm²).
    public var adcAreaSquareMicrometers: Double
    /// Input shift-adder (and other per-column periphery) per cell column (µm²).
    public var shiftAddInputAreaSquareMicrometers: Double
    /// Weight shift-adder per weight column (µm²).
    public var shiftAddWeightAreaSquareMicrometers: Double
    /// Mask buffer per stored bit (one slot per cell column and mask bit) (µm²).
    public var maskBufferAreaPerBitSquareMicrometers: Double
    /// A 128-unit adder tree with 1, 2, 3, … stages (µm²); deeper trees scale per adder from the last entry.
    public var adderTreeAreaPer128UnitsSquareMicrometers: [Double]
    /// 128 ReLU units (µm²).
    public var reluAreaPer128UnitsSquareMicrometers: Double
    /// Global buffer per bit of capacity (µm²); sized to the largest feature map, or as NeuroSim sizes it
    /// (``sizesGlobalBufferLikeNeuroSim``).
    public var globalBufferAreaPerBitSquareMicrometers: Double

    /// Size the global buffer as NeuroSim V1.5 does (`Chip.cpp` `ChipInitialize`): pipelined, it holds
    /// half of every layer's input at once, B_a · Σ H·W·Cin / 2 bits; layer by layer, the largest input,
    /// B_a · max H·W·Cin; in whole 128 × 128-bit cores. Otherwise: the largest feature map × B_a.
    public var sizesGlobalBufferLikeNeuroSim: Bool = false

    // MARK: Cell write model (NeuroSim `AnalogNVM::WriteEnergyCalculation`, 1T1R, identical pulses)

    /// Write pulse amplitude (V).
    public var writeVoltageVolts: Double
    /// Write pulse width (ns).
    public var writePulseWidthNanoseconds: Double
    /// Pulses to move a cell across its whole conductance range (NeuroSim `maxNumLevelLTP/LTD`).
    public var writePulsesFullRange: Double
    /// Low-resistance (on) state (Ω).
    public var onResistanceOhms: Double
    /// High-resistance (off) state (Ω).
    public var offResistanceOhms: Double
    /// Bit-line wire capacitance per array row, charged once per pulse (fF).
    public var bitLineCapacitancePerRowFemtofarads: Double

    // MARK: Which write model, and the papers model's two numbers (``PapersWriteCalibration``)

    /// The re-programming energy model the report's totals use; the report shows both.
    public var writeModel: WriteModelKind = .neurosim
    /// `papers` model: energy of one cell written across its whole range, level 0 → L−1 (nJ);
    /// other level changes scale as NeuroSim's (``WriteModel``). FineTune, Piggyback, KSM.
    public var papersCellFullRangeWriteEnergyNanojoules: Double = 0
    /// `papers` model: energy per cell (R · C per array) of each PE XMA2 re-programs (nJ).
    public var papersPEWriteEnergyPerCellNanojoules: Double = 0

    /// Checks every field; the error names the field.
    public func validate() throws {
        let nonNegative: [(String, Double)] = [
            ("rowDriveEnergyPicojoules", rowDriveEnergyPicojoules),
            ("wordLineEnergyPerCellPicojoules", wordLineEnergyPerCellPicojoules),
            ("arrayReadEnergyPerCellPicojoules", arrayReadEnergyPerCellPicojoules),
            ("adcPeripheryEnergyPerConversionPicojoules", adcPeripheryEnergyPerConversionPicojoules),
            ("pipelinedInterconnectFactor", pipelinedInterconnectFactor),
            ("adcEnergyPerConversionPicojoules", adcEnergyPerConversionPicojoules),
            ("shiftAddInputEnergyPerConversionPicojoules", shiftAddInputEnergyPerConversionPicojoules),
            ("shiftAddWeightEnergyPicojoules", shiftAddWeightEnergyPicojoules),
            ("maskBufferEnergyPerBitPicojoules", maskBufferEnergyPerBitPicojoules),
            ("reluEnergyPer128UnitsPicojoules", reluEnergyPer128UnitsPicojoules),
            ("globalBufferEnergyPerBitPicojoules", globalBufferEnergyPerBitPicojoules),
            ("interconnectEnergyPerBitPicojoules", interconnectEnergyPerBitPicojoules),
            ("cellAreaSquareMicrometers", cellAreaSquareMicrometers),
            ("rowDriverAreaSquareMicrometers", rowDriverAreaSquareMicrometers),
            ("adcAreaSquareMicrometers", adcAreaSquareMicrometers),
            ("shiftAddInputAreaSquareMicrometers", shiftAddInputAreaSquareMicrometers),
            ("shiftAddWeightAreaSquareMicrometers", shiftAddWeightAreaSquareMicrometers),
            ("maskBufferAreaPerBitSquareMicrometers", maskBufferAreaPerBitSquareMicrometers),
            ("reluAreaPer128UnitsSquareMicrometers", reluAreaPer128UnitsSquareMicrometers),
            ("globalBufferAreaPerBitSquareMicrometers", globalBufferAreaPerBitSquareMicrometers),
            ("writeVoltageVolts", writeVoltageVolts),
            ("writePulseWidthNanoseconds", writePulseWidthNanoseconds),
            ("writePulsesFullRange", writePulsesFullRange),
            ("bitLineCapacitancePerRowFemtofarads", bitLineCapacitancePerRowFemtofarads),
            ("columnDriveEnergyPicojoules", columnDriveEnergyPicojoules),
            ("papersCellFullRangeWriteEnergyNanojoules", papersCellFullRangeWriteEnergyNanojoules),
            ("papersPEWriteEnergyPerCellNanojoules", papersPEWriteEnergyPerCellNanojoules),
        ]
        for (name, value) in nonNegative where !(value.isFinite && value >= 0) {
            throw CrossbarError.invalidField(field: name, value: String(value), expected: "a finite number ≥ 0")
        }
        for (name, list) in [("adderTreeEnergyPer128UnitsPicojoules", adderTreeEnergyPer128UnitsPicojoules),
                             ("adderTreeAreaPer128UnitsSquareMicrometers", adderTreeAreaPer128UnitsSquareMicrometers)] {
            guard !list.isEmpty, list.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw CrossbarError.invalidField(field: name, value: "\(list)", expected: "a non-empty list of numbers ≥ 0 (stages 1, 2, 3, …)")
            }
        }
        guard inputBitDensity.isFinite, inputBitDensity >= 0, inputBitDensity <= 1 else {
            throw CrossbarError.invalidField(field: "inputBitDensity", value: String(inputBitDensity), expected: "a fraction in 0...1")
        }
        guard adcReferenceBits >= 1, adcReferenceBits <= 16 else {
            throw CrossbarError.invalidField(field: "adcReferenceBits", value: String(adcReferenceBits), expected: "an integer in 1...16")
        }
        for (name, value) in [("onResistanceOhms", onResistanceOhms), ("offResistanceOhms", offResistanceOhms)]
            where !(value.isFinite && value > 0) {
            throw CrossbarError.invalidField(field: name, value: String(value), expected: "a resistance > 0")
        }
        guard offResistanceOhms >= onResistanceOhms else {
            throw CrossbarError.invalidField(field: "offResistanceOhms", value: String(offResistanceOhms),
                                             expected: "≥ onResistanceOhms (\(onResistanceOhms))")
        }
    }
}

extension TechnologyParameters {
    /// Decodes every field; the fields added with the papers write model and column-driver gating
    /// (issue 14) keep their defaults when absent, so presets stored before them still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rowDriveEnergyPicojoules = try c.decode(Double.self, forKey: .rowDriveEnergyPicojoules)
        if let v = try c.decodeIfPresent(Double.self, forKey: .columnDriveEnergyPicojoules) { columnDriveEnergyPicojoules = v }
        wordLineEnergyPerCellPicojoules = try c.decode(Double.self, forKey: .wordLineEnergyPerCellPicojoules)
        arrayReadEnergyPerCellPicojoules = try c.decode(Double.self, forKey: .arrayReadEnergyPerCellPicojoules)
        inputBitDensity = try c.decode(Double.self, forKey: .inputBitDensity)
        adcKind = try c.decode(ADCKind.self, forKey: .adcKind)
        adcEnergyPerConversionPicojoules = try c.decode(Double.self, forKey: .adcEnergyPerConversionPicojoules)
        adcPeripheryEnergyPerConversionPicojoules = try c.decode(Double.self, forKey: .adcPeripheryEnergyPerConversionPicojoules)
        convertsUnusedColumns = try c.decode(Bool.self, forKey: .convertsUnusedColumns)
        adcReferenceBits = try c.decode(Int.self, forKey: .adcReferenceBits)
        shiftAddInputEnergyPerConversionPicojoules = try c.decode(Double.self, forKey: .shiftAddInputEnergyPerConversionPicojoules)
        shiftAddWeightEnergyPicojoules = try c.decode(Double.self, forKey: .shiftAddWeightEnergyPicojoules)
        maskBufferEnergyPerBitPicojoules = try c.decode(Double.self, forKey: .maskBufferEnergyPerBitPicojoules)
        adderTreeEnergyPer128UnitsPicojoules = try c.decode([Double].self, forKey: .adderTreeEnergyPer128UnitsPicojoules)
        reluEnergyPer128UnitsPicojoules = try c.decode(Double.self, forKey: .reluEnergyPer128UnitsPicojoules)
        globalBufferEnergyPerBitPicojoules = try c.decode(Double.self, forKey: .globalBufferEnergyPerBitPicojoules)
        interconnectEnergyPerBitPicojoules = try c.decode(Double.self, forKey: .interconnectEnergyPerBitPicojoules)
        pipelinedInterconnectFactor = try c.decode(Double.self, forKey: .pipelinedInterconnectFactor)
        cellAreaSquareMicrometers = try c.decode(Double.self, forKey: .cellAreaSquareMicrometers)
        rowDriverAreaSquareMicrometers = try c.decode(Double.self, forKey: .rowDriverAreaSquareMicrometers)
        adcAreaSquareMicrometers = try c.decode(Double.self, forKey: .adcAreaSquareMicrometers)
        shiftAddInputAreaSquareMicrometers = try c.decode(Double.self, forKey: .shiftAddInputAreaSquareMicrometers)
        shiftAddWeightAreaSquareMicrometers = try c.decode(Double.self, forKey: .shiftAddWeightAreaSquareMicrometers)
        maskBufferAreaPerBitSquareMicrometers = try c.decode(Double.self, forKey: .maskBufferAreaPerBitSquareMicrometers)
        adderTreeAreaPer128UnitsSquareMicrometers = try c.decode([Double].self, forKey: .adderTreeAreaPer128UnitsSquareMicrometers)
        reluAreaPer128UnitsSquareMicrometers = try c.decode(Double.self, forKey: .reluAreaPer128UnitsSquareMicrometers)
        globalBufferAreaPerBitSquareMicrometers = try c.decode(Double.self, forKey: .globalBufferAreaPerBitSquareMicrometers)
        writeVoltageVolts = try c.decode(Double.self, forKey: .writeVoltageVolts)
        writePulseWidthNanoseconds = try c.decode(Double.self, forKey: .writePulseWidthNanoseconds)
        writePulsesFullRange = try c.decode(Double.self, forKey: .writePulsesFullRange)
        onResistanceOhms = try c.decode(Double.self, forKey: .onResistanceOhms)
        offResistanceOhms = try c.decode(Double.self, forKey: .offResistanceOhms)
        bitLineCapacitancePerRowFemtofarads = try c.decode(Double.self, forKey: .bitLineCapacitancePerRowFemtofarads)
        if let v = try c.decodeIfPresent(Bool.self, forKey: .countsNeuroSimInputVectors) { countsNeuroSimInputVectors = v }
        if let v = try c.decodeIfPresent(Bool.self, forKey: .sizesGlobalBufferLikeNeuroSim) { sizesGlobalBufferLikeNeuroSim = v }
        if let v = try c.decodeIfPresent(WriteModelKind.self, forKey: .writeModel) { writeModel = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .papersCellFullRangeWriteEnergyNanojoules) { papersCellFullRangeWriteEnergyNanojoules = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .papersPEWriteEnergyPerCellNanojoules) { papersPEWriteEnergyPerCellNanojoules = v }
    }
}
