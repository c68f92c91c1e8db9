import XMaskCrossbar
import XMaskTensor

/// How one conv weight `[Cout, Cin, kh, kw]` lands on crossbar columns, arrays and PEs: the
/// crossbar model's ``LayerMapping`` (which owns row-chunks, the PE grid and the PE numbering),
/// plus the differentiable expansions training needs.
///
/// Unrolled, the weight is a K × N matrix, K = Cin·kh·kw rows ordered cin-major then kh, kw,
/// N = Cout columns. Row-chunk `r` holds unrolled rows `[r·R, (r+1)·R)` of an array with R rows
/// (the packed row mapping: column masks are defined on it); one crossbar *column* is a
/// (row-chunk, cout) pair and gets one mask value, whatever number of cell columns its
/// `weightBits / cellBits` bits span. With R = 72 and 3×3 kernels a column holds 8 input
/// channels (XBM's G = 8). PEs are numbered by ``LayerMapping/peIndex(rowChunk:outputChannel:)``,
/// so XMA2's PE choice and the hardware report count the same PEs.
public struct ColumnLayout: Sendable, Equatable {
    /// The layer on the crossbar (packed rows).
    public let mapping: LayerMapping

    /// The layout of `mapping`; it must use the packed row mapping.
    public init(mapping: LayerMapping) {
        precondition(!mapping.kernelSplit, "ColumnLayout: column masks are defined on packed rows, not a kernel-split mapping")
        self.mapping = mapping
    }

    /// The layout of a conv weight `[Cout, Cin, kh, kw]` on `geometry`. The column layout depends
    /// on the weight shape only; the mapped layer's input size (which only energy uses) is 1 × 1.
    public init(weightShape: [Int], geometry: CrossbarGeometry) {
        precondition(weightShape.count == 4, "ColumnLayout: conv weight \(weightShape) must be [Cout, Cin, kh, kw]")
        precondition(geometry.arrayRows > 0 && geometry.weightColumnsPerArray > 0, "ColumnLayout: geometry \(geometry) holds no weight")
        let layer = ConvLayerShape(name: "", inputHeight: 1, inputWidth: 1, inputChannels: weightShape[1],
                                   kernelHeight: weightShape[2], kernelWidth: weightShape[3], outputChannels: weightShape[0])
        self.init(mapping: LayerMapping(layer: layer, geometry: geometry, kernelSplit: false))
    }

    public var outChannels: Int { mapping.layer.outputChannels }
    public var inChannels: Int { mapping.layer.inputChannels }
    public var kernelHeight: Int { mapping.layer.kernelHeight }
    public var kernelWidth: Int { mapping.layer.kernelWidth }
    /// Rows of one array (R).
    public var rowsPerArray: Int { mapping.arrayRows }

    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    /// K = Cin·kh·kw.
    public var unrolledRows: Int { mapping.layer.unrolledRows }
    /// ⌈K / R⌉.
    public var rowChunks: Int { mapping.rowChunks }
    /// Crossbar columns of this layer: row-chunks × Cout (one mask value each for XBM/XMA).
    public var columns: Int { mapping.maskColumns }
    /// PEs of this layer.
    public var peCount: Int { mapping.pes }

    /// Row-chunk of each unrolled row k.
    var chunkOfRow: [Int] { (0..<unrolledRows).map { $0 / rowsPerArray } }

    /// Expands a per-column tensor `[rowChunks, Cout]` to the weight's shape (differentiable).
    public func expandColumns(_ columnValues: Tensor) -> Tensor {
        precondition(columnValues.shape == [rowChunks, outChannels],
                     "ColumnLayout.expandColumns: \(columnValues.shape), expected [\(rowChunks), \(outChannels)]")
        return columnValues.transposed().gathering(chunkOfRow, axis: 1).reshaped(weightShape)
    }

    /// PE index (``LayerMapping/peIndex(rowChunk:outputChannel:)``) of every weight element, in weight order.
    public func peOfWeights() -> [Int] {
        let chunk = chunkOfRow
        var out = [Int](repeating: 0, count: outChannels * unrolledRows)
        for c in 0..<outChannels {
            for k in 0..<unrolledRows {
                out[c * unrolledRows + k] = mapping.peIndex(rowChunk: chunk[k], outputChannel: c)
            }
        }
        return out
    }

    /// Expands a per-PE tensor `[peCount]` to the weight's shape (differentiable).
    public func expandPEs(_ peValues: Tensor) -> Tensor {
        precondition(peValues.shape == [peCount], "ColumnLayout.expandPEs: \(peValues.shape), expected [\(peCount)]")
        return peValues.gathering(peOfWeights(), axis: 0).reshaped(weightShape)
    }

    /// Expands a per-kernel tensor `[Cout, Cin]` to the weight's shape (differentiable).
    public func expandKernels(_ kernelValues: Tensor) -> Tensor {
        precondition(kernelValues.shape == [outChannels, inChannels],
                     "ColumnLayout.expandKernels: \(kernelValues.shape), expected [\(outChannels), \(inChannels)]")
        return kernelValues.reshaped([outChannels, inChannels, 1, 1]).expanded(to: weightShape)
    }
}
