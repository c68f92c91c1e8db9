import XMaskCrossbar
import XMaskTensor

/// How one conv weight `[Cout, Cin, kh, kw]` lands on crossbar columns, arrays and PEs.
///
/// Unrolled, the weight is a K × N matrix, K = Cin·kh·kw rows ordered cin-major then kh, kw,
/// N = Cout columns (DESIGN.md, "The methods"). Row-chunk `r` holds unrolled rows
/// `[r·R, (r+1)·R)` of an array with R rows; one crossbar *column* is a (row-chunk, cout)
/// pair and gets one mask value, whatever number of cell columns its `weightBits / cellBits`
/// bits span. With R = 72 and 3×3 kernels a column holds 8 input channels (XBM's G = 8).
/// An array holds `weightColumnsPerArray` output channels of one row-chunk; a PE is a
/// `peArrayRows × peArrayColumns` block of arrays of the same layer (the crossbar model's
/// mapping, so that XMA2's PE choice and the hardware report count the same PEs).
public struct ColumnLayout: Sendable, Equatable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    /// Rows of one array (R).
    public let rowsPerArray: Int
    /// Output channels (weight columns) one array holds.
    public let weightColumnsPerArray: Int
    public let peArrayRows: Int
    public let peArrayColumns: Int

    public init(weightShape: [Int], geometry: CrossbarGeometry) {
        precondition(weightShape.count == 4, "ColumnLayout: conv weight \(weightShape) must be [Cout, Cin, kh, kw]")
        outChannels = weightShape[0]
        inChannels = weightShape[1]
        kernelHeight = weightShape[2]
        kernelWidth = weightShape[3]
        rowsPerArray = geometry.arrayRows
        weightColumnsPerArray = geometry.weightColumnsPerArray
        peArrayRows = geometry.peArrayRows
        peArrayColumns = geometry.peArrayColumns
        precondition(rowsPerArray > 0 && weightColumnsPerArray > 0, "ColumnLayout: geometry \(geometry) holds no weight")
    }

    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    /// K = Cin·kh·kw.
    public var unrolledRows: Int { inChannels * kernelHeight * kernelWidth }
    /// ⌈K / R⌉.
    public var rowChunks: Int { (unrolledRows + rowsPerArray - 1) / rowsPerArray }
    /// Crossbar columns of this layer: row-chunks × Cout (one mask value each for XBM/XMA).
    public var columns: Int { rowChunks * outChannels }
    /// ⌈Cout / weightColumnsPerArray⌉.
    public var arrayColumnChunks: Int { (outChannels + weightColumnsPerArray - 1) / weightColumnsPerArray }
    /// Arrays of this layer.
    public var arrays: Int { rowChunks * arrayColumnChunks }
    /// PE grid of this layer.
    public var peRows: Int { (rowChunks + peArrayRows - 1) / peArrayRows }
    public var peColumns: Int { (arrayColumnChunks + peArrayColumns - 1) / peArrayColumns }
    public var peCount: Int { peRows * peColumns }

    /// Row-chunk of each unrolled row k.
    var chunkOfRow: [Int] { (0..<unrolledRows).map { $0 / rowsPerArray } }

    /// Expands a per-column tensor `[rowChunks, Cout]` to the weight's shape (differentiable).
    public func expandColumns(_ columnValues: Tensor) -> Tensor {
        precondition(columnValues.shape == [rowChunks, outChannels],
                     "ColumnLayout.expandColumns: \(columnValues.shape), expected [\(rowChunks), \(outChannels)]")
        return columnValues.transposed().gathering(chunkOfRow, axis: 1).reshaped(weightShape)
    }

    /// PE index (row-major over the layer's PE grid) of every weight element, in weight order.
    public func peOfWeights() -> [Int] {
        var out = [Int](repeating: 0, count: outChannels * unrolledRows)
        for c in 0..<outChannels {
            let peCol = (c / weightColumnsPerArray) / peArrayColumns
            for k in 0..<unrolledRows {
                let peRow = (k / rowsPerArray) / peArrayRows
                out[c * unrolledRows + k] = peRow * peColumns + peCol
            }
        }
        return out
    }

    /// PE index of every column, in `[rowChunks, Cout]` order.
    public func peOfColumns() -> [Int] {
        var out = [Int](repeating: 0, count: columns)
        for r in 0..<rowChunks {
            for c in 0..<outChannels {
                out[r * outChannels + c] = (r / peArrayRows) * peColumns + (c / weightColumnsPerArray) / peArrayColumns
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
