import Foundation

/// Fits the per-event energies and per-unit areas of a NeuroSim-like preset to
/// ``NeuroSimReferenceCase/all`` (every network) by least squares, one NeuroSim category at a time;
/// ``leaveOneNetworkOut(_:cases:)`` is the validation.
///
/// | category | model terms (events × per-event value) |
/// |---|---|
/// | ADC | conversions · L(b)/L(5) → `adcEnergyPerConversionPicojoules`; word-line cells · density → `wordLineEnergyPerCellPicojoules` |
/// | accumulation | conversions · b/5 → `shiftAddInputEnergyPerConversionPicojoules`; tree additions → `adderTreeEnergyPer128UnitsPicojoules`; weight joins → `shiftAddWeightEnergyPicojoules` |
/// | buffer | activation bits → `globalBufferEnergyPerBitPicojoules` |
/// | interconnect | activation bits → `interconnectEnergyPerBitPicojoules` (layer by layer) × `pipelinedInterconnectFactor` |
/// | other periphery | conversions · L(b)/L(5) → `adcPeripheryEnergyPerConversionPicojoules`; array-read cells → `arrayReadEnergyPerCellPicojoules` |
/// | area | slots · R·C → cell; slots · (R + C) → row and column periphery (split evenly); slots · ⌈C/8⌉ · L(b)/L(5) → ADC; global-buffer bits → `globalBufferAreaPerBitSquareMicrometers` |
///
/// L(b) = 2^b − 1 (multi-level sense amp). Weights are 1/target (relative errors), coefficients ≥ 0.
public enum NeuroSimCalibration {
    /// Network-wide events of one case on `preset`, with its floorplan.
    public static func events(of reference: NeuroSimReferenceCase, preset: HardwarePreset) throws -> (events: LayerEvents, slots: Int, bufferBits: Double, preset: HardwarePreset) {
        let p = reference.applied(to: preset)
        let mapping = try NetworkMapping(network: reference.network.shape(), geometry: p.geometry, includeClassifier: true)
        var total = LayerEvents()
        for layer in mapping.layers {
            let e = LayerEvents(layer: layer, geometry: p.geometry, technology: p.technology,
                                activeColumns: Double(layer.maskColumns), maskBitsPerSlot: 0)
            total.reads += e.reads; total.rowsDriven += e.rowsDriven; total.wordLineCells += e.wordLineCells
            total.arrayReadCells += e.arrayReadCells; total.conversions += e.conversions; total.weightJoins += e.weightJoins
            total.treeAdditions += e.treeAdditions; total.outputs += e.outputs; total.dataBits += e.dataBits
        }
        return (total, mapping.floorplan.arraySlots, HardwareModel(preset: p).globalBufferBits(mapping: mapping), p)
    }

    /// `preset` with every calibrated field refitted on `cases` (default: all reference rows).
    public static func fit(_ preset: HardwarePreset, cases: [NeuroSimReferenceCase] = NeuroSimReferenceCase.all) throws -> HardwarePreset {
        let data = try cases.map { ($0, try events(of: $0, preset: preset)) }
        var t = preset.technology
        let ref = Double(t.adcReferenceBits)
        func levels(_ p: HardwarePreset) -> Double { t.adcKind.energyScale(bits: p.geometry.adcBits, referenceBits: t.adcReferenceBits) }
        let µ = 1e-6  // pJ → µJ

        // Buffer and interconnect: per bit, from the rows that split them out.
        let split = data.filter { $0.0.bufferMicrojoules != nil }
        t.globalBufferEnergyPerBitPicojoules = nonNegativeLeastSquares(
            split.map { [$0.1.events.dataBits * µ] }, split.map { $0.0.bufferMicrojoules! })[0]
        let layerByLayer = split.filter { !$0.0.pipelined }, pipelined = split.filter { $0.0.pipelined }
        if !layerByLayer.isEmpty {
            t.interconnectEnergyPerBitPicojoules = nonNegativeLeastSquares(
                layerByLayer.map { [$0.1.events.dataBits * µ] }, layerByLayer.map { $0.0.interconnectMicrojoules! })[0]
        } else {
            // No layer-by-layer row: the per-bit energy and the pipelined factor are not separable;
            // fit the per-bit energy on the pipelined rows with factor 1 (nothing kept from the preset).
            t.pipelinedInterconnectFactor = 1
            t.interconnectEnergyPerBitPicojoules = nonNegativeLeastSquares(
                pipelined.map { [$0.1.events.dataBits * µ] }, pipelined.map { $0.0.interconnectMicrojoules! })[0]
        }
        if !pipelined.isEmpty, !layerByLayer.isEmpty, t.interconnectEnergyPerBitPicojoules > 0 {
            t.pipelinedInterconnectFactor = nonNegativeLeastSquares(
                pipelined.map { [$0.1.events.dataBits * µ * t.interconnectEnergyPerBitPicojoules] }, pipelined.map { $0.0.interconnectMicrojoules! })[0]
        }

        let adc = nonNegativeLeastSquares(
            data.map { [$0.1.events.conversions * levels($0.1.preset) * µ, $0.1.events.wordLineCells * $0.1.preset.technology.inputBitDensity * µ] },
            data.map { $0.0.adcMicrojoules })
        t.adcEnergyPerConversionPicojoules = adc[0]
        t.wordLineEnergyPerCellPicojoules = adc[1]

        let accumulation = nonNegativeLeastSquares(
            data.map { [$0.1.events.conversions * Double($0.1.preset.geometry.adcBits) / ref * µ, $0.1.events.treeAdditions * µ, $0.1.events.weightJoins * µ] },
            data.map { $0.0.accumulationMicrojoules })
        t.shiftAddInputEnergyPerConversionPicojoules = accumulation[0]
        t.adderTreeEnergyPer128UnitsPicojoules = [1.0, 3, 7].map { $0 * 128 * accumulation[1] }
        t.shiftAddWeightEnergyPicojoules = accumulation[2]

        let other = nonNegativeLeastSquares(
            data.map { [$0.1.events.conversions * levels($0.1.preset) * µ, $0.1.events.arrayReadCells * µ] },
            data.map { c, d in
                let ic = d.events.dataBits * µ * t.interconnectEnergyPerBitPicojoules * (c.pipelined ? t.pipelinedInterconnectFactor : 1)
                return c.otherMicrojoules - d.events.dataBits * µ * t.globalBufferEnergyPerBitPicojoules - ic
            })
        t.adcPeripheryEnergyPerConversionPicojoules = other[0]
        t.arrayReadEnergyPerCellPicojoules = other[1]

        // Area: per array slot, cells + row/column periphery + ADCs.
        var seen = Set<String>()
        let areaRows = data.filter { seen.insert("\($0.0.network)/\($0.1.slots)/\($0.0.adcBits)/\($0.0.arraySize)").inserted }
        let area = nonNegativeLeastSquares(
            areaRows.map { c, d in
                let g = d.preset.geometry
                return [Double(d.slots * g.arrayRows * g.arrayColumns) * µ, Double(d.slots * (g.arrayRows + g.arrayColumns)) * µ,
                        Double(d.slots * g.adcsPerArray) * t.adcKind.areaScale(bits: g.adcBits, referenceBits: t.adcReferenceBits) * µ,
                        d.bufferBits * µ]
            },
            areaRows.map { $0.0.areaSquareMillimeters })
        t.cellAreaSquareMicrometers = area[0]
        t.rowDriverAreaSquareMicrometers = area[1]
        t.shiftAddInputAreaSquareMicrometers = area[1]
        t.adcAreaSquareMicrometers = area[2]
        t.globalBufferAreaPerBitSquareMicrometers = area[3]

        var result = preset
        result.technology = t
        return result
    }

    /// One reference row predicted by a preset: relative errors of total energy and area.
    public struct Prediction: Sendable, Equatable {
        public var name: String
        public var network: NeuroSimNetwork
        public var energyMicrojoules: Double
        public var areaSquareMillimeters: Double
        public var energyError: Double
        public var areaError: Double
    }

    /// Every row of `cases` predicted by `preset` as is.
    public static func predictions(_ preset: HardwarePreset, cases: [NeuroSimReferenceCase] = NeuroSimReferenceCase.all) throws -> [Prediction] {
        try cases.map { c in
            let r = try HardwareModel(preset: c.applied(to: preset)).report(network: c.network.shape(), includeClassifier: true, method: .fineTune)
            return Prediction(name: c.name, network: c.network, energyMicrojoules: r.totals.inferenceEnergyMicrojoules,
                              areaSquareMillimeters: r.totals.areaSquareMillimeters,
                              energyError: r.totals.inferenceEnergyMicrojoules / c.energyMicrojoules - 1,
                              areaError: r.totals.areaSquareMillimeters / c.areaSquareMillimeters - 1)
        }
    }

    /// Leave one network out: for each network, fit on the rows of the other networks and predict its rows.
    public static func leaveOneNetworkOut(_ preset: HardwarePreset, cases: [NeuroSimReferenceCase] = NeuroSimReferenceCase.all) throws -> [Prediction] {
        let networks = NeuroSimNetwork.allCases.filter { n in cases.contains { $0.network == n } }
        return try networks.flatMap { n in
            let fitted = try fit(preset, cases: cases.filter { $0.network != n })
            return try predictions(fitted, cases: cases.filter { $0.network == n })
        }
    }

    /// Weighted (relative) non-negative least squares for a few columns: the best of all column
    /// subsets whose ordinary least-squares solution is non-negative.
    static func nonNegativeLeastSquares(_ rows: [[Double]], _ targets: [Double]) -> [Double] {
        let n = rows.first?.count ?? 0
        var best: (residual: Double, x: [Double])?
        for mask in 1..<(1 << n) {
            let columns = (0..<n).filter { mask & (1 << $0) != 0 }
            // Normal equations of the relative problem: rows and targets divided by the target.
            var a = Array(repeating: Array(repeating: 0.0, count: columns.count + 1), count: columns.count)
            for (row, y) in zip(rows, targets) {
                let w = 1 / (y * y)
                for (i, ci) in columns.enumerated() {
                    for (j, cj) in columns.enumerated() { a[i][j] += w * row[ci] * row[cj] }
                    a[i][columns.count] += w * row[ci] * y
                }
            }
            guard let solution = solve(a), solution.allSatisfy({ $0 >= 0 }) else { continue }
            var x = Array(repeating: 0.0, count: n)
            for (i, ci) in columns.enumerated() { x[ci] = solution[i] }
            let residual = zip(rows, targets).reduce(0.0) { acc, pair in
                let predicted = zip(pair.0, x).reduce(0) { $0 + $1.0 * $1.1 }
                return acc + (predicted / pair.1 - 1) * (predicted / pair.1 - 1)
            }
            if best == nil || residual < best!.residual - 1e-15 { best = (residual, x) }
        }
        return best?.x ?? Array(repeating: 0, count: n)
    }

    /// Gaussian elimination with partial pivoting on an augmented n × (n+1) matrix.
    static func solve(_ matrix: [[Double]]) -> [Double]? {
        var a = matrix
        let n = a.count
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-300 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<n where row != col {
                let f = a[row][col] / a[col][col]
                for k in col...n { a[row][k] -= f * a[col][k] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }
}
