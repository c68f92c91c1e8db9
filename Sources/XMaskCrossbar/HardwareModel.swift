import Foundation

/// Where a task's column activity and re-programming facts come from.
public enum TaskActivity: Sendable, Equatable {
    /// Analytic: a fraction `columnSparsity` of column-mask values is 0 (XBM, XMA, XMA2 tier-2),
    /// and a fraction `weightSparsity` of Piggyback / KSM mask values is 0 (the weights it
    /// zeroes or soft-scales, which are re-programmed).
    case uniform(columnSparsity: Double, weightSparsity: Double)
    /// A task's real masks (`xmask hw --masks FILE`); `file` names it in messages.
    case masks(TaskMasks, file: String)
}

/// The crossbar hardware model: mapping, mask memory, inference energy with column gating,
/// re-programming energy and area of one network under one adaptation method.
///
/// Energy is events × per-event energy (``LayerEvents``, ``TechnologyParameters/energy(of:rowChunks:geometry:)``);
/// the module README lists every term and its source. A gated column (level 0) spends no ADC,
/// ADC-periphery, shift-add or column (SL) driver energy (XBM §III-C); a shifted column costs as
/// much as an active one (the shift reuses the shift-adder, XMA2 §4). Gating does not change row
/// drive, word lines, per-read array overhead, adder trees, buffers or ReLU.
public struct HardwareModel: Sendable {
    public var preset: HardwarePreset
    /// The mask-memory accounting: the preset geometry's (which owns packing and KSM bits).
    public var maskOptions: MaskMemoryOptions {
        get { preset.geometry.maskMemoryOptions }
        set { preset.geometry.maskMemoryOptions = newValue }
    }

    public init(preset: HardwarePreset = .xbm32nm) {
        self.preset = preset
    }

    /// The full report. `inferences` is M in XMA2 Fig. 5's total/inference energy ratio.
    public func report(network: NetworkShape, includeClassifier: Bool = false, method: AdaptationMethod,
                       activity: TaskActivity = .uniform(columnSparsity: 0, weightSparsity: 0),
                       inferences: Int = 1) throws -> HardwareReport {
        try preset.validate()
        try maskOptions.validate()
        try method.validate(weightBits: preset.geometry.weightBits)
        guard inferences >= 1 else {
            throw CrossbarError.invalidField(field: "inferences", value: String(inferences), expected: "a positive integer")
        }
        let mapping = try NetworkMapping(network: network, geometry: preset.geometry, includeClassifier: includeClassifier)
        return try report(mapping: mapping, method: method, activity: activity, inferences: inferences)
    }

    /// The full report for an existing mapping (reused by sweeps).
    public func report(mapping: NetworkMapping, method: AdaptationMethod, activity: TaskActivity,
                       inferences: Int = 1) throws -> HardwareReport {
        let g = mapping.geometry, t = preset.technology
        var columnSparsity: Double?, weightSparsity: Double?, masks: TaskMasks?, source = "uniform"
        switch activity {
        case let .uniform(c, w):
            for (field, v) in [("columnSparsity", c), ("weightSparsity", w)] where !(v.isFinite && v >= 0 && v <= 1) {
                throw CrossbarError.invalidField(field: field, value: String(v), expected: "a fraction in 0...1")
            }
            columnSparsity = c
            weightSparsity = w
        case let .masks(m, file):
            try m.validate(against: mapping, method: method, file: file)
            masks = m
            source = file
        }

        let chosenPEs = try reprogrammedPEs(mapping: mapping, method: method, masks: masks, file: source)
        let writeModels = WriteModelKind.allCases.map { WriteModel(technology: t, geometry: g, kind: $0) }
        let selected = WriteModelKind.allCases.firstIndex(of: t.writeModel)!
        let writeModel = writeModels[selected]
        let perWeightTransitions: CellTransitions? = {
            switch method {
            case .fineTune: return WeightRewrite.retrain.transitionsPerWeight(weightBits: g.weightBits, cellBits: g.cellBits)
            case .piggyback: return WeightRewrite.zero.transitionsPerWeight(weightBits: g.weightBits, cellBits: g.cellBits)
            case .ksm: return WeightRewrite.scale(maxScale: 0.5).transitionsPerWeight(weightBits: g.weightBits, cellBits: g.cellBits)
            case .xma2: return WeightRewrite.programErased.transitionsPerWeight(weightBits: g.weightBits, cellBits: g.cellBits)
            case .xbm, .xma: return nil
            }
        }()

        let maskBitsPerSlot = method.usesColumnMask ? MaskPacking.bitsFor(levels: method.columnLevelCount) : 0

        var layerReports: [LayerHardwareReport] = []
        var totalEnergy = EnergyBreakdown()
        var totalMemory = MaskMemory()
        var totalChangedCells = 0.0, totalChosenPEs = 0
        var totalWriteEnergies = Array(repeating: 0.0, count: writeModels.count)
        for (i, layer) in mapping.layers.enumerated() {
            let pes = chosenPEs[i]
            let entry = masks?.layers[i]
            let memory = layer.maskMemory(method: method, reprogrammedPEs: pes, options: maskOptions)

            // Column activity and the events it sets off.
            let activeColumns = columnActivity(layer: layer, method: method, chosenPEs: pes,
                                               mask: entry?.columnMask, columnSparsity: columnSparsity ?? 0)
            let events = LayerEvents(layer: layer, geometry: g, technology: t, activeColumns: activeColumns,
                                     maskBitsPerSlot: maskBitsPerSlot)
            let e = t.energy(of: events, rowChunks: layer.rowChunks, geometry: g)

            // Re-programming.
            var transitions = CellTransitions(levels: g.cellLevels)
            if let measured = entry?.reprogramming?.cellTransitions {
                transitions.counts = measured.map { $0.map(Double.init) }
            } else if let perWeight = perWeightTransitions {
                let rewritten: Double
                switch method {
                case .fineTune: rewritten = Double(layer.layer.weights)
                case .piggyback, .ksm:
                    if let n = entry?.reprogramming?.rewrittenWeights { rewritten = Double(n) }
                    else if masks != nil { rewritten = 0 }
                    else { rewritten = (weightSparsity ?? 0) * Double(layer.layer.weights) }
                case .xma2: rewritten = Double(pes.reduce(0) { $0 + layer.weights(inPE: $1) })
                case .xbm, .xma: rewritten = 0
                }
                transitions = perWeight.scaled(by: rewritten)
            }
            let changed = transitions.changedCells
            let peCells = pes.count * g.arraysPerPE * g.arrayRows * g.arrayColumns
            let writeEnergies = writeModels.map { $0.energyPicojoules(transitions, reprogrammedPECells: peCells, method: method) }
            let writePicojoules = writeEnergies[selected]

            totalEnergy = totalEnergy + e
            totalMemory = totalMemory + memory
            totalChangedCells += changed
            for k in writeEnergies.indices { totalWriteEnergies[k] += writeEnergies[k] }
            totalChosenPEs += pes.count
            let l = layer.layer
            layerReports.append(LayerHardwareReport(
                name: l.name, inputHeight: l.inputHeight, inputWidth: l.inputWidth, inputChannels: l.inputChannels,
                kernelHeight: l.kernelHeight, kernelWidth: l.kernelWidth, outputChannels: l.outputChannels, stride: l.stride,
                unrolledRows: l.unrolledRows, outputPositions: l.outputPositions, rowChunks: layer.rowChunks,
                columnChunks: layer.columnChunks, arrays: layer.arrays, pes: layer.pes, utilization: layer.utilization,
                weights: l.weights, maskValues: memory.values, maskBits: memory.bits,
                activeColumnFraction: activeColumns / Double(layer.maskColumns), reprogrammedPEs: pes.count,
                reprogrammedCells: Int(changed.rounded()), reprogrammingEnergyMicrojoules: writePicojoules * 1e-6,
                inferenceEnergyMicrojoules: e.total * 1e-6, energyMicrojoules: e.scaled(by: 1e-6)))
        }

        let area = self.area(mapping: mapping, method: method)
        let inferenceMicrojoules = totalEnergy.total * 1e-6
        let writeMicrojoules = totalWriteEnergies[selected] * 1e-6
        let estimates = zip(WriteModelKind.allCases, totalWriteEnergies).map {
            WriteModelEstimate(writeModel: $0, inferenceMicrojoules: inferenceMicrojoules, reprogrammingMicrojoules: $1 * 1e-6, inferences: inferences)
        }
        let totals = HardwareTotals(
            layers: mapping.layers.count, arrays: mapping.arrays, pes: mapping.pes, sparePEs: mapping.sparePEs,
            weights: mapping.weights, macs: mapping.layers.reduce(0) { $0 + $1.layer.macs },
            utilization: mapping.utilization, maskValues: totalMemory.values, maskBits: totalMemory.bits,
            maskBytes: totalMemory.bytes, maskBufferBits: totalMemory.maskBufferBits,
            backboneBytes: (mapping.backboneBits + 7) / 8,
            maskOverheadPercent: 100 * Double(totalMemory.bits) / Double(mapping.backboneBits),
            inferenceEnergyMicrojoules: inferenceMicrojoules, arrayEnergyMicrojoules: totalEnergy.array * 1e-6,
            reprogrammedPEs: totalChosenPEs, reprogrammedCells: Int(totalChangedCells.rounded()),
            reprogrammingEnergyMicrojoules: writeMicrojoules, inferences: inferences,
            totalOverInferenceEnergy: estimates[selected].totalOverInferenceEnergy,
            areaSquareMillimeters: area.total * 1e-6)
        return HardwareReport(
            network: mapping.network.name, preset: preset.name, geometry: g, method: method.name,
            methodDescription: method.description, activitySource: source, columnSparsity: columnSparsity,
            weightSparsity: weightSparsity, includesClassifier: mapping.includesClassifier, maskPacking: maskOptions.packing,
            totals: totals, maskMemory: totalMemory, energyMicrojoules: totalEnergy.scaled(by: 1e-6),
            areaSquareMillimeters: area.scaled(by: 1e-6),
            writeEnergyFromLevelZeroPicojoules: (1..<g.cellLevels).map { writeModel.energyPicojoules[0][$0] },
            writeModel: t.writeModel, writeModels: estimates,
            layers: layerReports)
    }

    /// Active mask columns: non-zero level, or inside a re-programmed PE (XMA2).
    func columnActivity(layer: LayerMapping, method: AdaptationMethod, chosenPEs: [Int], mask: LayerColumnMask?,
                        columnSparsity: Double) -> Double {
        guard method.usesColumnMask else { return Double(layer.maskColumns) }
        let chosen = Set(chosenPEs)
        if let mask {
            var columns = 0
            for r in 0..<layer.rowChunks {
                for c in 0..<layer.layer.outputChannels
                where mask.levels[r * layer.layer.outputChannels + c] != 0 || (!chosen.isEmpty && chosen.contains(layer.peIndex(rowChunk: r, outputChannel: c))) {
                    columns += 1
                }
            }
            return Double(columns)
        }
        let chosenColumns = Double(chosenPEs.reduce(0) { $0 + layer.maskColumns(inPE: $1) })
        return chosenColumns + (Double(layer.maskColumns) - chosenColumns) * (1 - columnSparsity)
    }

    /// XMA2's re-programmed PEs per layer: from the masks file, or (analytic) round(P · PEs)
    /// apportioned over layers by PE count (largest remainder), the first PEs of each layer.
    func reprogrammedPEs(mapping: NetworkMapping, method: AdaptationMethod, masks: TaskMasks?, file: String) throws -> [[Int]] {
        guard case let .xma2(fraction, _) = method else { return mapping.layers.map { _ in [] } }
        let perLayer: [[Int]]
        if let masks {
            perLayer = masks.layers.map { $0.reprogramming?.reprogrammedPEs ?? [] }
        } else {
            let total = Int((fraction * Double(mapping.pes)).rounded())
            let shares = mapping.layers.map { fraction * Double($0.pes) }
            var counts = shares.map { Int($0.rounded(.down)) }
            let order = shares.indices.sorted { (shares[$0] - Double(counts[$0]), $1) > (shares[$1] - Double(counts[$1]), $0) }
            var missing = total - counts.reduce(0, +)
            for i in order where missing > 0 && counts[i] < mapping.layers[i].pes {
                counts[i] += 1
                missing -= 1
            }
            perLayer = counts.map { Array(0..<$0) }
        }
        let needed = perLayer.reduce(0) { $0 + $1.count }
        guard needed <= mapping.sparePEs else {
            throw CrossbarError.invalidField(
                field: "sparePEFraction", value: String(mapping.geometry.sparePEFraction),
                expected: "enough spare PEs for XMA2: it re-programs \(needed) of \(mapping.pes) PEs but the geometry provides \(mapping.sparePEs) (raise --spare-pe-fraction to at least \(formatFraction(Double(needed) / Double(mapping.pes))))")
        }
        return perLayer
    }

    /// Capacity of the global buffer (bits): the largest feature map × B_a, or NeuroSim's sizing
    /// (``TechnologyParameters/sizesGlobalBufferLikeNeuroSim``).
    public func globalBufferBits(mapping: NetworkMapping) -> Double {
        let g = mapping.geometry
        guard preset.technology.sizesGlobalBufferLikeNeuroSim else {
            return Double(mapping.network.largestFeatureMapElements * g.activationBits)
        }
        let inputs = mapping.layers.map { Double($0.layer.inputHeight * $0.layer.inputWidth * $0.layer.inputChannels) }
        let held = g.pipelineSpeedUp > 1 ? inputs.reduce(0, +) / 2 : (inputs.max() ?? 0)
        let core = 128.0 * 128.0
        return (Double(g.activationBits) * held / core).rounded(.up) * core
    }

    /// Area of a 128-unit adder tree with `stages` stages; beyond the table, per adder of the last entry.
    func adderTreeArea(stages: Int) -> Double {
        guard stages > 0 else { return 0 }
        let table = preset.technology.adderTreeAreaPer128UnitsSquareMicrometers
        if stages <= table.count { return table[stages - 1] }
        return table[table.count - 1] / (pow2(table.count) - 1) * (pow2(stages) - 1)
    }

    /// Area by component (µm²): the floorplan's array positions (``ChipFloorplan``) with their
    /// periphery, mask buffers sized for the method, one 128-unit adder tree (⌈log2 r⌉ stages) and 128 ReLU units per layer,
    /// the global buffer sized to the largest feature map, and the spare PEs.
    public func area(mapping: NetworkMapping, method: AdaptationMethod) -> AreaBreakdown {
        let g = mapping.geometry, t = preset.technology
        let rows = Double(g.arrayRows), columns = Double(g.arrayColumns)
        let adc = Double(g.adcsPerArray) * t.adcAreaSquareMicrometers * t.adcKind.areaScale(bits: g.adcBits, referenceBits: t.adcReferenceBits)
        let maskSlots = method.usesColumnMask ? MaskPacking.bitsFor(levels: method.columnLevelCount) : 0
        var perArray = AreaBreakdown()
        perArray.memoryArray = rows * columns * t.cellAreaSquareMicrometers
        perArray.rowDrivers = rows * t.rowDriverAreaSquareMicrometers
        perArray.adcs = adc
        perArray.shiftAddInput = columns * t.shiftAddInputAreaSquareMicrometers
        perArray.shiftAddWeight = Double(g.weightColumnsPerArray) * t.shiftAddWeightAreaSquareMicrometers
        perArray.maskBuffer = columns * Double(maskSlots) * t.maskBufferAreaPerBitSquareMicrometers
        perArray.updateTotal()

        var a = perArray.scaled(by: Double(mapping.floorplan.arraySlots))
        a.adderTrees = mapping.layers.reduce(0) { $0 + adderTreeArea(stages: MaskPacking.bitsFor(levels: $1.rowChunks)) }
        a.relu = Double(mapping.layers.count) * t.reluAreaPer128UnitsSquareMicrometers
        a.globalBuffer = globalBufferBits(mapping: mapping) * t.globalBufferAreaPerBitSquareMicrometers
        a.sparePEs = Double(mapping.sparePEs * g.arraysPerPE) * perArray.total
        a.updateTotal()
        return a
    }
}
