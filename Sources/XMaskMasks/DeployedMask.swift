import XMaskTensor

/// What one conv layer holds for a task once training is over: the values the hardware (mask
/// buffers, spare PEs, re-programmed cells) would hold. Evaluation always runs from this form,
/// so the accuracy reported is the deployed model's.
///
/// `apply(to:)` maps the frozen backbone weight *as the crossbar holds it* (already quantized)
/// to the weight the task's convolution uses.
public enum DeployedMask: Sendable, Equatable {
    /// FineTune: the task's own (quantized) weight; every cell may be re-programmed.
    case weights(Tensor)
    /// Piggyback: one bit per weight (weight order `[Cout, Cin, kh, kw]`).
    case weightBits([UInt8])
    /// KSM: one soft value per kernel `[Cout, Cin]`: 1 where the binary part is on, else
    /// `α·norm(m_r)`; `binary` holds the binary part (1 bit per kernel).
    case kernelValues(Tensor, binary: [UInt8])
    /// XBM / XMA: one level per crossbar column, `[rowChunks, Cout]` row-major.
    case columnLevels([Float], levels: ShiftLevels)
    /// XMA2: `replacedPEs[i] == 1` re-programs PE i with `newWeights` (full weight shape; only
    /// entries inside replaced PEs are used); every other column is scaled by `columnLevels`.
    case replacedPEs([UInt8], newWeights: Tensor, columnLevels: [Float], levels: ShiftLevels)

    /// The weight the task's convolution uses (a constant: evaluation does not differentiate).
    public func apply(to frozenWeight: Tensor, layout: ColumnLayout) -> Tensor {
        precondition(frozenWeight.shape == layout.weightShape,
                     "DeployedMask.apply: weight \(frozenWeight.shape), layout \(layout.weightShape)")
        let w = frozenWeight.detached()
        switch self {
        case .weights(let t):
            return t.detached()
        case .weightBits(let bits):
            return w * Tensor(shape: w.shape, scalars: bits.map(Float.init))
        case .kernelValues(let values, _):
            return w * layout.expandKernels(values.detached())
        case .columnLevels(let levels, _):
            return w * layout.expandColumns(Tensor(shape: [layout.rowChunks, layout.outChannels], scalars: levels))
        case .replacedPEs(let pes, let newWeights, let levels, _):
            let pe = layout.expandPEs(Tensor(shape: [layout.peCount], scalars: pes.map(Float.init)))
            let shifted = w * layout.expandColumns(Tensor(shape: [layout.rowChunks, layout.outChannels], scalars: levels))
            return pe * newWeights.detached() + (1 - pe) * shifted
        }
    }

    /// Per-column levels for the hardware model's gating (nil when the method has no column mask).
    /// XMA2's replaced PEs count as fully on.
    public func columnGating(layout: ColumnLayout) -> [Float]? {
        switch self {
        case .columnLevels(let levels, _):
            return levels
        case .replacedPEs(let pes, _, let levels, _):
            return levels.enumerated().map { i, l in
                pes[layout.mapping.peIndex(rowChunk: i / layout.outChannels, outputChannel: i % layout.outChannels)] == 1 ? 1 : l
            }
        default:
            return nil
        }
    }

    /// XMA2's re-programmed PEs of this layer (``LayerMapping/peIndex(rowChunk:outputChannel:)``
    /// numbering); empty for the other methods.
    public var reprogrammedPEs: [Int] {
        guard case let .replacedPEs(pes, _, _, _) = self else { return [] }
        return pes.indices.filter { pes[$0] == 1 }
    }

    /// Fraction of columns (or weights, or kernels) switched off (mask 0).
    public var sparsity: Double {
        func zeros<S: Sequence>(_ s: S, count: Int) -> Double where S.Element: BinaryFloatingPoint {
            count == 0 ? 0 : Double(s.filter { $0 == 0 }.count) / Double(count)
        }
        switch self {
        case .weights: return 0
        case .weightBits(let b): return b.isEmpty ? 0 : Double(b.filter { $0 == 0 }.count) / Double(b.count)
        case .kernelValues(_, let binary): return binary.isEmpty ? 0 : Double(binary.filter { $0 == 0 }.count) / Double(binary.count)
        case .columnLevels(let l, _): return zeros(l, count: l.count)
        case .replacedPEs(_, _, let l, _): return zeros(l, count: l.count)
        }
    }
}
