import Foundation

/// The learned per-column mask of one conv layer, as plain values.
///
/// `levels[r · outputChannels + cout]` gates mask column (row-chunk r, output channel cout):
/// rows [r·R, (r+1)·R) of the unrolled weight (K = Cin·kh·kw, cin-major then kh, kw) for that
/// output channel, over all of its cell columns. Values are in {0, 1/8, 1/4, 1/2, 1} (XMA with
/// 3 shift levels) or {0, 1} (XBM). A 0 turns the column off: no ADC or shift-add energy.
public struct LayerColumnMask: Codable, Sendable, Equatable {
    public var rowChunks: Int
    public var outputChannels: Int
    /// rowChunks × outputChannels, row-major.
    public var levels: [Float]

    public init(rowChunks: Int, outputChannels: Int, levels: [Float]) {
        precondition(levels.count == rowChunks * outputChannels,
                     "LayerColumnMask: \(levels.count) levels for \(rowChunks) × \(outputChannels)")
        self.rowChunks = rowChunks
        self.outputChannels = outputChannels
        self.levels = levels
    }

    /// All columns at `level`.
    public static func uniform(_ mapping: LayerMapping, level: Float = 1) -> LayerColumnMask {
        LayerColumnMask(rowChunks: mapping.rowChunks, outputChannels: mapping.layer.outputChannels,
                        levels: Array(repeating: level, count: mapping.maskColumns))
    }

    public func level(rowChunk: Int, outputChannel: Int) -> Float { levels[rowChunk * outputChannels + outputChannel] }
}

/// What a task re-programs in one layer.
public struct LayerReprogramming: Codable, Sendable, Equatable {
    /// PEs of this layer (``LayerMapping/peIndex(rowChunk:outputChannel:)``) whose weights are
    /// re-learned and programmed into spare PEs (XMA2 tier-1).
    public var reprogrammedPEs: [Int]?
    /// Measured cell transitions `[from][to]`, cellLevels × cellLevels, for FineTune, Piggyback,
    /// KSM or XMA2 (counted by the masks module from the real weights). When absent the
    /// analytic estimate is used (``WeightRewrite``).
    public var cellTransitions: [[Int]]?
    /// Weights a Piggyback mask zeroes, or KSM soft-masked weights (used without `cellTransitions`).
    public var rewrittenWeights: Int?

    public init(reprogrammedPEs: [Int]? = nil, cellTransitions: [[Int]]? = nil, rewrittenWeights: Int? = nil) {
        self.reprogrammedPEs = reprogrammedPEs
        self.cellTransitions = cellTransitions
        self.rewrittenWeights = rewrittenWeights
    }
}

/// One layer's entry in a task-masks file.
public struct TaskLayerMask: Codable, Sendable, Equatable {
    /// Layer name, checked against the network's when both are given.
    public var name: String?
    public var columnMask: LayerColumnMask?
    public var reprogramming: LayerReprogramming?

    public init(name: String? = nil, columnMask: LayerColumnMask? = nil, reprogramming: LayerReprogramming? = nil) {
        self.name = name
        self.columnMask = columnMask
        self.reprogramming = reprogramming
    }
}

/// A task's masks as the hardware model reads them (`xmask hw --masks FILE`).
///
/// JSON, one entry per mapped layer in network order (the classifier only if mapped):
/// ```json
/// {"format": "xmask-task-masks", "version": 1, "method": "xma", "shiftLevels": 3, "arrayRows": 72,
///  "layers": [{"name": "conv1",
///              "columnMask": {"rowChunks": 3, "outputChannels": 64, "levels": [1, 0, 0.5, …]},
///              "reprogramming": {"reprogrammedPEs": [0], "cellTransitions": [[…], …], "rewrittenWeights": 12}}]}
/// ```
public struct TaskMasks: Codable, Sendable, Equatable {
    public static let formatName = "xmask-task-masks"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    /// `finetune`, `piggyback`, `ksm`, `xbm`, `xma` or `xma2`.
    public var method: String
    /// XMA/XMA2 shift levels N (default 3).
    public var shiftLevels: Int?
    /// XMA2's PE fraction P, informational (the PEs are listed per layer).
    public var peFraction: Double?
    /// Array height R the columns were cut for; must equal the geometry's.
    public var arrayRows: Int
    public var layers: [TaskLayerMask]

    public init(method: AdaptationMethod, arrayRows: Int, layers: [TaskLayerMask]) {
        format = Self.formatName
        version = Self.currentVersion
        self.method = method.name
        shiftLevels = method.usesColumnMask ? method.shiftLevels : nil
        if case let .xma2(p, _) = method { peFraction = p }
        self.arrayRows = arrayRows
        self.layers = layers
    }

    /// The method the file describes.
    public func adaptationMethod() throws -> AdaptationMethod {
        try AdaptationMethod.parse(method, shiftLevels: shiftLevels ?? 3, peFraction: peFraction ?? 0.1)
    }

    /// Reads a file; errors name the file and, where JSON decoding says, the key path.
    public static func load(contentsOf url: URL) throws -> TaskMasks {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CrossbarError.malformedMasks(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes JSON bytes; `file` is used in error messages.
    public static func decode(_ data: Data, file: String) throws -> TaskMasks {
        let masks: TaskMasks
        do { masks = try JSONDecoder().decode(TaskMasks.self, from: data) } catch let error as DecodingError {
            throw CrossbarError.malformedMasks(file: file, message: describe(error))
        } catch {
            throw CrossbarError.malformedMasks(file: file, message: "not JSON: \(error.localizedDescription)")
        }
        guard masks.format == formatName else {
            throw CrossbarError.malformedMasks(file: file, message: "format = '\(masks.format)': expected '\(formatName)'")
        }
        guard masks.version == currentVersion else {
            throw CrossbarError.malformedMasks(file: file, message: "version = \(masks.version): expected \(currentVersion)")
        }
        return masks
    }

    /// Pretty JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Checks the file against the mapping and method: layer count, names, column-mask shapes
    /// and levels, PE indices, transition-matrix shapes. Errors name the layer and field.
    public func validate(against mapping: NetworkMapping, method: AdaptationMethod, file: String) throws {
        func fail(_ message: String) -> CrossbarError { .malformedMasks(file: file, message: message) }
        guard arrayRows == mapping.geometry.arrayRows else {
            throw fail("arrayRows = \(arrayRows): the masks were cut for \(arrayRows)-row arrays but the geometry has \(mapping.geometry.arrayRows)")
        }
        guard layers.count == mapping.layers.count else {
            throw fail("layers: \(layers.count) entries, expected \(mapping.layers.count) (one per mapped layer of \(mapping.network.name)\(mapping.includesClassifier ? ", classifier included" : ", classifier not mapped"))")
        }
        let allowed = method.allowedColumnLevels
        let cellLevels = mapping.geometry.cellLevels
        for (i, (entry, layer)) in zip(layers, mapping.layers).enumerated() {
            let label = "layers[\(i)] (\(layer.layer.name))"
            if let name = entry.name, name != layer.layer.name {
                throw fail("\(label).name = '\(name)': expected '\(layer.layer.name)' (layers must be in network order)")
            }
            if let mask = entry.columnMask {
                guard method.usesColumnMask else {
                    throw fail("\(label).columnMask: \(method.name) has no column mask")
                }
                guard mask.rowChunks == layer.rowChunks, mask.outputChannels == layer.layer.outputChannels else {
                    let hint = layer.kernelSplit ? " (this geometry splits kernel positions over arrays; column masks are defined on the packed row mapping)" : ""
                    throw fail("\(label).columnMask: \(mask.rowChunks) × \(mask.outputChannels), expected \(layer.rowChunks) row-chunks × \(layer.layer.outputChannels) output channels\(hint)")
                }
                guard mask.levels.count == layer.maskColumns else {
                    throw fail("\(label).columnMask.levels: \(mask.levels.count) values, expected \(layer.maskColumns) (rowChunks × outputChannels)")
                }
                for (j, v) in mask.levels.enumerated() where !allowed.contains(where: { abs($0 - v) <= 1e-6 }) {
                    throw fail("\(label).columnMask.levels[\(j)] = \(v): expected one of \(allowed.map { String($0) }.joined(separator: ", ")) for \(method)")
                }
            } else if method.usesColumnMask {
                throw fail("\(label).columnMask: missing; \(method.name) needs one per layer")
            }
            guard let r = entry.reprogramming else { continue }
            if let pes = r.reprogrammedPEs {
                guard case .xma2 = method else { throw fail("\(label).reprogramming.reprogrammedPEs: only XMA2 re-programs PEs") }
                for pe in pes where pe < 0 || pe >= layer.pes {
                    throw fail("\(label).reprogramming.reprogrammedPEs: PE \(pe) outside 0..<\(layer.pes)")
                }
                guard Set(pes).count == pes.count else { throw fail("\(label).reprogramming.reprogrammedPEs: repeated PE") }
            }
            if let t = r.cellTransitions {
                guard t.count == cellLevels, t.allSatisfy({ $0.count == cellLevels }) else {
                    throw fail("\(label).reprogramming.cellTransitions: expected a \(cellLevels) × \(cellLevels) matrix of counts [from][to]")
                }
                guard t.allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else {
                    throw fail("\(label).reprogramming.cellTransitions: counts must be ≥ 0")
                }
                // Each cell of each weight makes at most one transition: the counts sum to at most
                // weights × cells per weight of the widest (16-bit) weight (checked addition: a
                // huge count must not wrap around).
                let bound = layer.layer.weights * ((16 + mapping.geometry.cellBits - 1) / mapping.geometry.cellBits)
                var total = 0, overflow = false
                for row in t { for c in row where !overflow { (total, overflow) = total.addingReportingOverflow(c) } }
                guard !overflow, total <= bound else {
                    throw fail("\(label).reprogramming.cellTransitions: counts sum to \(overflow ? "more than 2⁶³" : String(total)); expected at most \(bound), the cells the layer's weights can occupy")
                }
            }
            if let w = r.rewrittenWeights, w < 0 || w > layer.layer.weights {
                throw fail("\(label).reprogramming.rewrittenWeights = \(w): expected 0...\(layer.layer.weights)")
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context)).\(key.stringValue): missing"
        case let .typeMismatch(type, context): return "\(path(context)): expected \(type)"
        case let .valueNotFound(type, context): return "\(path(context)): expected \(type), found null"
        case let .dataCorrupted(context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
