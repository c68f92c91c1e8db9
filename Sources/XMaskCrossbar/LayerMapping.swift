/// One layer placed on crossbar arrays and PEs.
///
/// The unrolled K × Cout weight is cut into `rowChunks = ⌈K/R⌉` row-chunks of the array height
/// R and `columnChunks = ⌈Cout / weightColumnsPerArray⌉` column-chunks; each (row-chunk,
/// column-chunk) pair is one array. A *mask column* is one (row-chunk, cout) pair — one weight
/// column of up to R weights spread over `cellsPerWeight` cell columns — and is indexed
/// `rowChunk · Cout + cout` (row-major, docs/architecture.md, "The methods"). PEs tile the grid of arrays in blocks of
/// `peArrayRows × peArrayColumns`, numbered row-major over that block grid.
///
/// With ``RowMapping/kernelSplit`` (NeuroSim's novel mapping) a split layer has
/// kh·kw·⌈Cin/R⌉ row-chunks: chunk r holds input channels [q·R, (q+1)·R) of kernel position
/// r / ⌈Cin/R⌉, with q = r mod ⌈Cin/R⌉.
public struct LayerMapping: Codable, Sendable, Equatable {
    public var layer: ConvLayerShape
    /// Whether this layer's kernel positions are split over separate arrays.
    public var kernelSplit: Bool
    /// Array height R of the geometry used.
    public var arrayRows: Int
    /// Array width in cell columns.
    public var arrayColumns: Int
    /// Bits per weight and per cell of the geometry used.
    public var weightBits: Int
    public var cellBits: Int
    /// Cell columns per weight.
    public var cellsPerWeight: Int
    /// Weight columns per array.
    public var weightColumnsPerArray: Int
    /// ⌈K / R⌉.
    public var rowChunks: Int
    /// ⌈Cout / weightColumnsPerArray⌉.
    public var columnChunks: Int
    /// PE block grid size.
    public var peArrayRows: Int
    public var peArrayColumns: Int
    /// The geometry's mask-memory accounting (packing, KSM real-part bits).
    public var maskMemoryOptions: MaskMemoryOptions

    public init(layer: ConvLayerShape, geometry: CrossbarGeometry, kernelSplit: Bool = false) {
        self.layer = layer
        self.kernelSplit = kernelSplit
        arrayRows = geometry.arrayRows
        arrayColumns = geometry.arrayColumns
        weightBits = geometry.weightBits
        cellBits = geometry.cellBits
        cellsPerWeight = geometry.cellsPerWeight
        weightColumnsPerArray = geometry.weightColumnsPerArray
        rowChunks = kernelSplit
            ? layer.kernelHeight * layer.kernelWidth * ((layer.inputChannels + geometry.arrayRows - 1) / geometry.arrayRows)
            : (layer.unrolledRows + geometry.arrayRows - 1) / geometry.arrayRows
        columnChunks = (layer.outputChannels + weightColumnsPerArray - 1) / weightColumnsPerArray
        peArrayRows = geometry.peArrayRows
        peArrayColumns = geometry.peArrayColumns
        maskMemoryOptions = geometry.maskMemoryOptions
    }

    /// Arrays holding the layer: rowChunks × columnChunks.
    public var arrays: Int { rowChunks * columnChunks }
    /// Mask columns: rowChunks × Cout (one XBM/XMA mask value each).
    public var maskColumns: Int { rowChunks * layer.outputChannels }
    /// Cells holding weights: K · Cout · cellsPerWeight.
    public var usedCells: Int { layer.weights * cellsPerWeight }
    /// Used cells over all cells of the layer's arrays.
    public var utilization: Double { Double(usedCells) / Double(arrays * arrayRows * arrayColumns) }
    /// Rows of row-chunk `r`: R, except the last chunk (of K, or of Cin for a kernel-split layer),
    /// which holds the remainder.
    public func rowsInChunk(_ r: Int) -> Int {
        if kernelSplit {
            let perPosition = rowChunks / (layer.kernelHeight * layer.kernelWidth)
            return min(arrayRows, layer.inputChannels - (r % perPosition) * arrayRows)
        }
        return min(arrayRows, layer.unrolledRows - r * arrayRows)
    }
    /// Column-chunk holding output channel `cout`.
    public func columnChunk(ofOutputChannel cout: Int) -> Int { cout / weightColumnsPerArray }

    /// PE blocks along K.
    public var peRows: Int { (rowChunks + peArrayRows - 1) / peArrayRows }
    /// PE blocks along Cout.
    public var peColumns: Int { (columnChunks + peArrayColumns - 1) / peArrayColumns }
    /// PEs of the layer.
    public var pes: Int { peRows * peColumns }

    /// The PE (0 ..< pes) holding mask column (rowChunk, cout).
    public func peIndex(rowChunk: Int, outputChannel cout: Int) -> Int {
        precondition(rowChunk >= 0 && rowChunk < rowChunks && cout >= 0 && cout < layer.outputChannels,
                     "peIndex: (\(rowChunk), \(cout)) outside \(rowChunks) × \(layer.outputChannels)")
        return (rowChunk / peArrayRows) * peColumns + columnChunk(ofOutputChannel: cout) / peArrayColumns
    }

    /// Row-chunks and output channels covered by PE `pe`.
    public func extent(ofPE pe: Int) -> (rowChunks: Range<Int>, outputChannels: Range<Int>) {
        precondition(pe >= 0 && pe < pes, "extent(ofPE:): \(pe) outside 0..<\(pes)")
        let peRow = pe / peColumns, peColumn = pe % peColumns
        let r0 = peRow * peArrayRows, r1 = min(rowChunks, r0 + peArrayRows)
        let c0 = peColumn * peArrayColumns * weightColumnsPerArray
        let c1 = min(layer.outputChannels, c0 + peArrayColumns * weightColumnsPerArray)
        return (r0..<r1, c0..<c1)
    }

    /// Weights stored in PE `pe`.
    public func weights(inPE pe: Int) -> Int {
        let e = extent(ofPE: pe)
        let rows = e.rowChunks.reduce(0) { $0 + rowsInChunk($1) }
        return rows * e.outputChannels.count
    }

    /// Mask columns in PE `pe`.
    public func maskColumns(inPE pe: Int) -> Int {
        let e = extent(ofPE: pe)
        return e.rowChunks.count * e.outputChannels.count
    }

    /// Arrays in PE `pe`.
    public func arrays(inPE pe: Int) -> Int {
        let e = extent(ofPE: pe)
        let c0 = e.outputChannels.lowerBound / weightColumnsPerArray
        let c1 = (e.outputChannels.upperBound + weightColumnsPerArray - 1) / weightColumnsPerArray
        return e.rowChunks.count * (c1 - c0)
    }
}

/// A network placed on crossbars: one ``LayerMapping`` per mapped layer, plus totals.
public struct NetworkMapping: Codable, Sendable, Equatable {
    public var network: NetworkShape
    public var geometry: CrossbarGeometry
    public var includesClassifier: Bool
    public var layers: [LayerMapping]

    /// Maps the network's layers (the classifier only if `includeClassifier`).
    public init(network: NetworkShape, geometry: CrossbarGeometry, includeClassifier: Bool = false) throws {
        try geometry.validate()
        let mapped = network.mappedLayers(includeClassifier: includeClassifier)
        guard !mapped.isEmpty else {
            throw CrossbarError.unsupported("network '\(network.name)' has no layer to map (only a classifier; pass --include-classifier)")
        }
        for layer in mapped { try layer.validate() }
        self.network = network
        self.geometry = geometry
        self.includesClassifier = includeClassifier
        let splitArea = geometry.rowMapping == .kernelSplit ? Self.mostCommonKernelArea(mapped) : nil
        self.layers = mapped.map { layer in
            let split = splitArea == layer.kernelHeight * layer.kernelWidth && layer.unrolledRows >= geometry.arrayRows
            return LayerMapping(layer: layer, geometry: geometry, kernelSplit: split)
        }
    }

    /// The kernel area (kh·kw ≠ 1) most layers have, the first in layer order on a tie
    /// (NeuroSim's choice of novel-mapped layers and of PEs per novel-mapped tile).
    public static func mostCommonKernelArea(_ layers: [ConvLayerShape]) -> Int? {
        var counts: [Int: Int] = [:]
        for layer in layers where layer.kernelHeight * layer.kernelWidth != 1 {
            counts[layer.kernelHeight * layer.kernelWidth, default: 0] += 1
        }
        guard let most = counts.values.max() else { return nil }
        return layers.map { $0.kernelHeight * $0.kernelWidth }.first { counts[$0] == most }
    }

    public var arrays: Int { layers.reduce(0) { $0 + $1.arrays } }
    public var pes: Int { layers.reduce(0) { $0 + $1.pes } }
    public var weights: Int { layers.reduce(0) { $0 + $1.layer.weights } }
    public var maskColumns: Int { layers.reduce(0) { $0 + $1.maskColumns } }
    public var usedCells: Int { layers.reduce(0) { $0 + $1.usedCells } }
    /// Used cells over all cells of all arrays.
    public var utilization: Double {
        Double(usedCells) / Double(arrays * geometry.arrayRows * geometry.arrayColumns)
    }
    /// Spare PEs provided: ⌈sparePEFraction · pes⌉.
    public var sparePEs: Int { Int((geometry.sparePEFraction * Double(pes) - 1e-9).rounded(.up)) }
    /// Quantized backbone size in bits: weights · weightBits.
    public var backboneBits: Int { weights * geometry.weightBits }
}
