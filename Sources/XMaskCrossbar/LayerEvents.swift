/// How many times each energy-consuming event happens in one layer per image.
///
/// Energy is the sum of events × per-event energy (``TechnologyParameters``); keeping the
/// counts apart lets a preset be calibrated against a simulator's breakdown by least squares
/// (`xmask-bench hw --neurosim`). `Double` because analytic sparsity gives expected counts.
public struct LayerEvents: Codable, Sendable, Equatable {
    /// Array bit-plane reads: P · B_a · arrays.
    public var reads = 0.0
    /// Rows driven: P · B_a · Σ over arrays of their used rows = P · B_a · K · columnChunks.
    public var rowsDriven = 0.0
    /// Column (SL) drivers switched: P · B_a · active mask columns · c_w (gated columns' drivers stay off, XBM §III-C).
    public var columnsDriven = 0.0
    /// Cells along driven rows, full array width: rowsDriven · C (times input-bit density in energy).
    public var wordLineCells = 0.0
    /// Cells of read arrays: reads · R · C.
    public var arrayReadCells = 0.0
    /// ADC conversions (gated columns are not converted).
    public var conversions = 0.0
    /// Weight shift-adder joins: P · B_a · active mask columns · (cellsPerWeight − 1).
    public var weightJoins = 0.0
    /// Adder-tree additions joining row-chunk partial sums: P · Cout · (rowChunks − 1).
    public var treeAdditions = 0.0
    /// Outputs through the ReLU: P · Cout.
    public var outputs = 0.0
    /// Mask-buffer bits read: P · maskColumns · cellsPerWeight · bits per slot (column-mask methods).
    public var maskBufferBits = 0.0
    /// Activation bits through buffer and interconnect: P · (K + Cout) · B_a.
    public var dataBits = 0.0

    public init() {}

    /// NeuroSim V1.5's input vectors of a layer (`Chip.cpp`: `int numInVector = (H−kh+1)/s*(W−kw+1)/s`
    /// evaluated in doubles left to right, then truncated).
    public static func neuroSimInputVectors(_ l: ConvLayerShape) -> Double {
        let s = Double(l.stride)
        let v = Double(l.inputHeight - l.kernelHeight + 1) / s * Double(l.inputWidth - l.kernelWidth + 1) / s
        return Double(Int(v))
    }

    /// The events of `layer` with `activeColumns` of its mask columns on.
    public init(layer: LayerMapping, geometry g: CrossbarGeometry, technology t: TechnologyParameters,
                activeColumns: Double, maskBitsPerSlot: Int) {
        let p = t.countsNeuroSimInputVectors ? Self.neuroSimInputVectors(layer.layer) : Double(layer.layer.outputPositions)
        let ba = Double(g.activationBits)
        let cw = Double(layer.cellsPerWeight)
        let gated = Double(layer.maskColumns) - activeColumns
        reads = p * ba * Double(layer.arrays)
        rowsDriven = p * ba * Double(layer.layer.unrolledRows) * Double(layer.columnChunks)
        columnsDriven = p * ba * activeColumns * cw
        wordLineCells = rowsDriven * Double(layer.arrayColumns)
        arrayReadCells = reads * Double(layer.arrayRows * layer.arrayColumns)
        conversions = t.convertsUnusedColumns
            ? p * ba * (Double(layer.arrays * layer.arrayColumns) - gated * cw)
            : p * ba * activeColumns * cw
        weightJoins = p * ba * activeColumns * (cw - 1)
        treeAdditions = p * Double(layer.layer.outputChannels) * Double(layer.rowChunks - 1)
        outputs = p * Double(layer.layer.outputChannels)
        maskBufferBits = p * Double(layer.maskColumns) * cw * Double(maskBitsPerSlot)
        dataBits = p * Double(layer.layer.unrolledRows + layer.layer.outputChannels) * ba
    }
}

extension TechnologyParameters {
    /// Energy of `events` (pJ) for a layer with `rowChunks` row-chunks on geometry `g`.
    public func energy(of events: LayerEvents, rowChunks: Int, geometry g: CrossbarGeometry) -> EnergyBreakdown {
        let adcScale = adcKind.energyScale(bits: g.adcBits, referenceBits: adcReferenceBits)
        var e = EnergyBreakdown()
        e.rowDrive = events.rowsDriven * rowDriveEnergyPicojoules + events.columnsDriven * columnDriveEnergyPicojoules
        e.wordLine = events.wordLineCells * inputBitDensity * wordLineEnergyPerCellPicojoules
        e.arrayRead = events.arrayReadCells * arrayReadEnergyPerCellPicojoules
        e.adc = events.conversions * adcEnergyPerConversionPicojoules * adcScale
        e.adcPeriphery = events.conversions * adcPeripheryEnergyPerConversionPicojoules * adcScale
        e.shiftAddInput = events.conversions * shiftAddInputEnergyPerConversionPicojoules * Double(g.adcBits) / Double(adcReferenceBits)
        e.shiftAddWeight = events.weightJoins * shiftAddWeightEnergyPicojoules
        e.maskBuffer = events.maskBufferBits * maskBufferEnergyPerBitPicojoules
        e.adderTree = events.treeAdditions * adderEnergyPerAddition(rowChunks: rowChunks)
        e.relu = events.outputs * reluEnergyPer128UnitsPicojoules / 128
        e.globalBuffer = events.dataBits * globalBufferEnergyPerBitPicojoules
        e.interconnect = events.dataBits * interconnectEnergyPerBitPicojoules * (g.pipelineSpeedUp > 1 ? pipelinedInterconnectFactor : 1)
        e.updateTotals()
        return e
    }

    /// Energy per addition of a tree joining `rowChunks` partial sums: ⌈log2 r⌉ stages, from the
    /// table's 128-unit tree energy over its (2^s − 1) · 128 adders; deeper trees use the last entry.
    public func adderEnergyPerAddition(rowChunks: Int) -> Double {
        guard rowChunks > 1 else { return 0 }
        let table = adderTreeEnergyPer128UnitsPicojoules
        let stages = min(MaskPacking.bitsFor(levels: rowChunks), table.count)
        return table[stages - 1] / ((pow2(stages) - 1) * 128)
    }
}
