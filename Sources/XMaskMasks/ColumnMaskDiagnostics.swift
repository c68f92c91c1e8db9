import Foundation
import XMaskTensor

/// What a column-mask task's masks did in training (XBM, XMA, XMA2's tier 2): whether they were
/// still learning at the end, and where they ended. Made by ``ColumnMaskRecorder``.
public struct ColumnMaskDiagnostics: Codable, Sendable, Equatable {
    /// The column levels in ascending order (0, the shift levels, 1), as ``ShiftLevels/all``.
    public var levels: [Double]
    /// Per masked conv layer (network order): the fraction of its columns at each level of
    /// ``levels`` in the deployed mask; the first entry is the gated (level 0) fraction.
    public var layers: [Layer]
    /// Column-mask values of the task (every layer).
    public var maskValues: Int
    /// Optimizer steps in each bucket: the training steps cut into ``ColumnMaskRecorder/bucketCount``
    /// equal runs (fewer buckets with fewer steps).
    public var stepsPerBucket: [Int]
    /// Sign flips of the real mask values (keep ↔ drop in evaluation, `m ≥ 0`) summed over
    /// the steps of each bucket.
    public var flipsPerBucket: [Int]
    /// Mean over values and the bucket's steps of |dp/dm| = (β/T)·σ(βm/T)(1 − σ(βm/T)), the
    /// noise-free relaxed sample's slope, at the β of each step.
    public var meanAbsSlopePerBucket: [Double]
    /// Fraction of the mask values that flipped at least once in the last quarter of the steps.
    public var lastQuarterFlippedFraction: Double

    public struct Layer: Codable, Sendable, Equatable {
        public var layer: String
        public var levelFractions: [Double]
        public init(layer: String, levelFractions: [Double]) {
            self.layer = layer
            self.levelFractions = levelFractions
        }
    }

    public init(levels: [Double], layers: [Layer], maskValues: Int, stepsPerBucket: [Int], flipsPerBucket: [Int],
                meanAbsSlopePerBucket: [Double], lastQuarterFlippedFraction: Double) {
        self.levels = levels
        self.layers = layers
        self.maskValues = maskValues
        self.stepsPerBucket = stepsPerBucket
        self.flipsPerBucket = flipsPerBucket
        self.meanAbsSlopePerBucket = meanAbsSlopePerBucket
        self.lastQuarterFlippedFraction = lastQuarterFlippedFraction
    }

    /// Fraction of all the task's columns gated off (level 0) when deployed.
    public var gatedFraction: Double { fraction(atLevel: 0) }
    /// Fraction of the task's columns at a shift level (strictly between 0 and 1).
    public var shiftedFraction: Double {
        levels.indices.dropFirst().dropLast().reduce(0) { $0 + fraction(atIndex: $1) }
    }
    /// Flips per value and step of each bucket (a curve comparable across networks and budgets).
    public var flipRatePerBucket: [Double] {
        zip(flipsPerBucket, stepsPerBucket).map { f, s in s > 0 && maskValues > 0 ? Double(f) / Double(s * maskValues) : 0 }
    }

    func fraction(atIndex i: Int) -> Double {
        layers.isEmpty ? 0 : layers.map { $0.levelFractions[i] }.reduce(0, +) / Double(layers.count)
    }
    func fraction(atLevel level: Double) -> Double { levels.firstIndex(of: level).map(fraction(atIndex:)) ?? 0 }
}

/// Records ``ColumnMaskDiagnostics`` over training: call ``record(step:)`` after every
/// optimizer step (before the next ``TaskAdapter/setProgress(_:)``), ``finish()`` at the end.
public final class ColumnMaskRecorder {
    public static let bucketCount = 20
    let adapter: TaskAdapter
    let steps: Int
    var previous: [Float]
    var flips: [Int]
    var slopeSums: [Double]
    var stepCounts: [Int]
    var flippedLate: [Bool]

    /// nil when the adapter's method has no column mask.
    public init?(adapter: TaskAdapter, steps: Int) {
        guard !adapter.columnMasks.isEmpty, steps > 0 else { return nil }
        self.adapter = adapter
        self.steps = steps
        previous = Self.values(adapter)
        let buckets = min(Self.bucketCount, steps)
        flips = [Int](repeating: 0, count: buckets)
        slopeSums = [Double](repeating: 0, count: buckets)
        stepCounts = [Int](repeating: 0, count: buckets)
        flippedLate = [Bool](repeating: false, count: previous.count)
    }

    static func values(_ adapter: TaskAdapter) -> [Float] { adapter.columnMasks.flatMap { $0.mask.mask.value.scalars } }

    /// The bucket of step `step` (0-based).
    func bucket(_ step: Int) -> Int { min(step * flips.count / steps, flips.count - 1) }

    /// After step `step` (0-based): counts the values whose sign changed and the slope |dp/dm|
    /// the step's forward pass had (the values before the step, at its β).
    public func record(step: Int) {
        let now = Self.values(adapter)
        let b = bucket(step)
        let late = 4 * step >= 3 * steps
        var slope = 0.0, offset = 0
        for (_, m) in adapter.columnMasks {
            let k = Double(m.gumbel.beta / m.gumbel.temperature)
            for j in 0..<m.mask.value.count {
                // σ(x)(1 − σ(x)) = e^−|x| / (1 + e^−|x|)², exact where 1 − σ(x) rounds to 0.
                let e = exp(-abs(k * Double(previous[offset + j])))
                slope += k * e / ((1 + e) * (1 + e))
            }
            offset += m.mask.value.count
        }
        var flipped = 0
        for i in now.indices where (now[i] >= 0) != (previous[i] >= 0) {
            flipped += 1
            if late { flippedLate[i] = true }
        }
        flips[b] += flipped
        slopeSums[b] += slope / Double(max(now.count, 1))
        stepCounts[b] += 1
        previous = now
    }

    /// The diagnostics, with the deployed (deterministic) levels of every layer.
    public func finish() -> ColumnMaskDiagnostics {
        let masks = adapter.columnMasks
        let levels = masks[0].mask.levels.all
        let layers = masks.map { key, mask in
            let l = mask.columnLevels(training: false).scalars
            return ColumnMaskDiagnostics.Layer(layer: key, levelFractions: levels.map { v in
                Double(l.filter { $0 == v }.count) / Double(max(l.count, 1))
            })
        }
        return ColumnMaskDiagnostics(
            levels: levels.map(Double.init), layers: layers, maskValues: previous.count, stepsPerBucket: stepCounts,
            flipsPerBucket: flips, meanAbsSlopePerBucket: zip(slopeSums, stepCounts).map { $1 > 0 ? $0 / Double($1) : 0 },
            lastQuarterFlippedFraction: Double(flippedLate.filter { $0 }.count) / Double(max(previous.count, 1)))
    }
}
