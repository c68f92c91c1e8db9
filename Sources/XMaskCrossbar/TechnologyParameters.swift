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

    /// Row driver / switch matrix energy per driven row per read (pJ).
    public var rowDriveEnergyPicojoules: Double
    /// Word-line charging per cell along a driven row (the array's full width) per read, times
    /// ``inputBitDensity`` — only rows whose input bit is 1 are charged (pJ). Not gated by masks.
    public var wordLineEnergyPerCellPicojoules: Double
    /// Per read of an array, per cell of the whole array (R · C): bit-line precharge and column
    /// periphery that every read pays (pJ).
    public var arrayReadEnergyPerCellPicojoules: Double
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
    /// Global buffer per bit of capacity (µm²); sized to the largest feature map.
    public var globalBufferAreaPerBitSquareMicrometers: Double

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
