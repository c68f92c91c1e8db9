/// Inference energy per image, by component. The unit is the one the holder's field names.
public struct EnergyBreakdown: Codable, Sendable, Equatable {
    /// Switch matrix (XBM Table II "Switch Matrix (WL and SL)"): row (WL) drivers, and the column
    /// (SL) drivers of the columns that are not gated.
    public var rowDrive = 0.0
    /// Word-line charging of rows whose input bit is 1; 0 in the XBM preset.
    public var wordLine = 0.0
    /// Per-read array overhead (bit-line precharge, column periphery); 0 in the XBM preset.
    public var arrayRead = 0.0
    /// ADC conversions.
    public var adc = 0.0
    /// Periphery that scales with the ADC (reference levels, encoders); 0 in the XBM preset.
    public var adcPeriphery = 0.0
    /// Input (bit-plane) shift-adders.
    public var shiftAddInput = 0.0
    /// Weight (cell-column) shift-adders.
    public var shiftAddWeight = 0.0
    /// Mask-buffer reads (column-mask methods).
    public var maskBuffer = 0.0
    /// Adder trees joining row-chunk partial sums.
    public var adderTree = 0.0
    /// ReLU units.
    public var relu = 0.0
    /// Global buffer reads and writes.
    public var globalBuffer = 0.0
    /// On-chip interconnect; 0 in the XBM preset.
    public var interconnect = 0.0
    /// Inside the arrays: row drive, word line, array read, ADC and its periphery, shift-adders.
    public private(set) var array = 0.0
    /// Sum of all components.
    public private(set) var total = 0.0

    public init() {}

    /// Recomputes `array` and `total` from the components.
    public mutating func updateTotals() {
        array = rowDrive + wordLine + arrayRead + adc + adcPeriphery + shiftAddInput + shiftAddWeight
        total = array + maskBuffer + adderTree + relu + globalBuffer + interconnect
    }

    /// Every component multiplied by `factor` (unit conversion).
    public func scaled(by factor: Double) -> EnergyBreakdown {
        var e = self
        e.rowDrive *= factor; e.wordLine *= factor; e.arrayRead *= factor; e.adc *= factor; e.adcPeriphery *= factor
        e.shiftAddInput *= factor; e.shiftAddWeight *= factor; e.maskBuffer *= factor
        e.adderTree *= factor; e.relu *= factor; e.globalBuffer *= factor; e.interconnect *= factor
        e.updateTotals()
        return e
    }

    public static func + (a: EnergyBreakdown, b: EnergyBreakdown) -> EnergyBreakdown {
        var e = EnergyBreakdown()
        e.rowDrive = a.rowDrive + b.rowDrive; e.wordLine = a.wordLine + b.wordLine; e.arrayRead = a.arrayRead + b.arrayRead
        e.adc = a.adc + b.adc; e.adcPeriphery = a.adcPeriphery + b.adcPeriphery
        e.shiftAddInput = a.shiftAddInput + b.shiftAddInput; e.shiftAddWeight = a.shiftAddWeight + b.shiftAddWeight
        e.maskBuffer = a.maskBuffer + b.maskBuffer; e.adderTree = a.adderTree + b.adderTree; e.relu = a.relu + b.relu
        e.globalBuffer = a.globalBuffer + b.globalBuffer; e.interconnect = a.interconnect + b.interconnect
        e.updateTotals()
        return e
    }

    /// NeuroSim's categories: ADC (with word-line charging, as NeuroSim books it), accumulation
    /// (shift-adders and adder trees), buffer, interconnect, and other periphery.
    public var neuroSimCategories: (adc: Double, accumulation: Double, buffer: Double, interconnect: Double, other: Double) {
        (adc + wordLine, shiftAddInput + shiftAddWeight + adderTree, globalBuffer, interconnect,
         rowDrive + arrayRead + adcPeriphery + maskBuffer + relu)
    }

    /// (label, value) pairs in display order, without the totals.
    public var components: [(String, Double)] {
        [("row drive", rowDrive), ("word line", wordLine), ("array read", arrayRead), ("ADC", adc),
         ("ADC periphery", adcPeriphery), ("shift-add input", shiftAddInput),
         ("shift-add weight", shiftAddWeight), ("mask buffer", maskBuffer), ("adder tree", adderTree),
         ("ReLU", relu), ("global buffer", globalBuffer), ("interconnect", interconnect)]
    }
}

/// Chip area by component. The unit is the one the holder's field names.
public struct AreaBreakdown: Codable, Sendable, Equatable {
    /// ReRAM cells of the backbone's arrays.
    public var memoryArray = 0.0
    /// Row drivers / switch matrices.
    public var rowDrivers = 0.0
    /// ADCs.
    public var adcs = 0.0
    /// Input shift-adders.
    public var shiftAddInput = 0.0
    /// Weight shift-adders.
    public var shiftAddWeight = 0.0
    /// Mask buffers (column-mask methods only).
    public var maskBuffer = 0.0
    /// Adder trees.
    public var adderTrees = 0.0
    /// ReLU units.
    public var relu = 0.0
    /// Global buffer.
    public var globalBuffer = 0.0
    /// Spare PEs (all their arrays and array periphery).
    public var sparePEs = 0.0
    /// Sum.
    public private(set) var total = 0.0

    public init() {}

    public mutating func updateTotal() {
        total = memoryArray + rowDrivers + adcs + shiftAddInput + shiftAddWeight + maskBuffer + adderTrees + relu + globalBuffer + sparePEs
    }

    public func scaled(by factor: Double) -> AreaBreakdown {
        var a = self
        a.memoryArray *= factor; a.rowDrivers *= factor; a.adcs *= factor; a.shiftAddInput *= factor
        a.shiftAddWeight *= factor; a.maskBuffer *= factor; a.adderTrees *= factor; a.relu *= factor
        a.globalBuffer *= factor; a.sparePEs *= factor
        a.updateTotal()
        return a
    }

    /// (label, value) pairs in display order, without the total.
    public var components: [(String, Double)] {
        [("memory array", memoryArray), ("row drivers", rowDrivers), ("ADCs", adcs), ("shift-add input", shiftAddInput),
         ("shift-add weight", shiftAddWeight), ("mask buffer", maskBuffer), ("adder trees", adderTrees),
         ("ReLU", relu), ("global buffer", globalBuffer), ("spare PEs", sparePEs)]
    }
}
