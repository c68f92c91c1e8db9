import Foundation

/// Overrides of a preset's fields by name, as plain entries (a JSON object parsed here, or a
/// YAML file parsed by the caller with Yams).
///
/// Keys are the field names of ``CrossbarGeometry`` and ``TechnologyParameters`` (one flat
/// namespace: no name is in both), plus `preset` to start from a named preset.
public struct HardwareConfig: Sendable, Equatable {
    /// One `key: value` with the line it came from (YAML only).
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: ConfigValue
        public var line: Int?

        public init(key: String, value: ConfigValue, line: Int?) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// A config value.
    public enum ConfigValue: Sendable, Equatable {
        case number(Double)
        case bool(Bool)
        case string(String)
        case list([Double])

    }

    /// The preset to start from, if the file names one.
    public var presetName: String?
    public var entries: [Entry]
    /// File name for messages.
    public var file: String

    public init(presetName: String? = nil, entries: [Entry] = [], file: String = "config") {
        self.presetName = presetName
        self.entries = entries
        self.file = file
    }

    /// Parses a JSON object of `field: value` (flat, or nested under `geometry` / `technology`).
    /// YAML files are read with Yams by the caller (`XMaskExperiments.HardwareConfigFile`), which
    /// hands this type its entries.
    public static func parseJSON(_ text: String, file: String) throws -> HardwareConfig {
        let top: [String: JSONValue]
        do { top = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) } catch {
            throw CrossbarError.malformedConfig(file: file, line: nil, message: "expected a JSON object of field: value (\(error.localizedDescription))")
        }
        var config = HardwareConfig(file: file)
        var flat: [(String, JSONValue)] = []
        for (key, value) in top.sorted(by: { $0.key < $1.key }) {
            if key == "geometry" || key == "technology", case let .object(nested) = value {
                flat += nested.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
            } else {
                flat.append((key, value))
            }
        }
        for (key, value) in flat {
            let parsed: ConfigValue
            switch value {
            case let .number(x): parsed = .number(x)
            case let .bool(b): parsed = .bool(b)
            case let .string(s): parsed = .string(s)
            case let .array(items):
                var numbers: [Double] = []
                for item in items {
                    guard case let .number(x) = item else {
                        throw CrossbarError.malformedConfig(file: file, line: nil, message: "\(key): expected a list of numbers")
                    }
                    numbers.append(x)
                }
                parsed = .list(numbers)
            case .object:
                throw CrossbarError.malformedConfig(file: file, line: nil, message: "\(key): expected a number, string or list of numbers, found an object")
            }
            try config.add(key: key, value: parsed, line: nil)
        }
        return config
    }

    /// Adds one `key: value` of a config file (JSON here, YAML from the caller): `preset` names
    /// the starting preset, a printed preset's descriptive `name`, `summary` and `source` are
    /// skipped, every other key becomes an entry (checked by ``apply(to:)``).
    public mutating func add(key: String, value: ConfigValue, line: Int?) throws {
        switch key {
        case "preset":
            guard case let .string(name) = value else {
                throw CrossbarError.malformedConfig(file: file, line: line, message: "preset: expected a preset name")
            }
            presetName = name
        case "name", "summary", "source":
            break
        default:
            entries.append(Entry(key: key, value: value, line: line))
        }
    }

    /// The preset with every entry applied, validated. Errors name the file, line (YAML), key and
    /// what was expected.
    public func apply(to preset: HardwarePreset) throws -> HardwarePreset {
        var result = preset
        var lines: [String: Int] = [:]
        for entry in entries {
            guard let field = HardwarePreset.fields[entry.key] else {
                let known = HardwarePreset.fields.keys.sorted().joined(separator: ", ")
                throw CrossbarError.malformedConfig(file: file, line: entry.line, message: "unknown key '\(entry.key)': expected preset or one of \(known)")
            }
            if let line = entry.line { lines[entry.key] = line }
            do { try field.set(&result, entry.value) } catch let FieldError.expected(what) {
                throw CrossbarError.malformedConfig(file: file, line: entry.line, message: "\(entry.key): expected \(what)")
            }
        }
        do { try result.validate() } catch let CrossbarError.invalidField(field, value, expected) {
            throw CrossbarError.malformedConfig(file: file, line: lines[field], message: "\(field) = \(value): expected \(expected)")
        }
        return result
    }
}

enum FieldError: Error { case expected(String) }

/// A JSON value decoded with `JSONDecoder`, so numbers keep their exact `Double` value.
enum JSONValue: Decodable {
    case number(Double)
    case bool(Bool)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

/// One overridable field of a preset: how to set it from a config value.
struct PresetField: Sendable {
    let set: @Sendable (inout HardwarePreset, HardwareConfig.ConfigValue) throws -> Void

    static func int(_ path: WritableKeyPath<HardwarePreset, Int> & Sendable) -> PresetField {
        PresetField { preset, value in
            guard case let .number(x) = value, x == x.rounded(), abs(x) < 1e9 else { throw FieldError.expected("an integer") }
            preset[keyPath: path] = Int(x)
        }
    }

    static func double(_ path: WritableKeyPath<HardwarePreset, Double> & Sendable) -> PresetField {
        PresetField { preset, value in
            guard case let .number(x) = value else { throw FieldError.expected("a number") }
            preset[keyPath: path] = x
        }
    }

    static func bool(_ path: WritableKeyPath<HardwarePreset, Bool> & Sendable) -> PresetField {
        PresetField { preset, value in
            guard case let .bool(b) = value else { throw FieldError.expected("true or false") }
            preset[keyPath: path] = b
        }
    }

    static func list(_ path: WritableKeyPath<HardwarePreset, [Double]> & Sendable) -> PresetField {
        PresetField { preset, value in
            guard case let .list(xs) = value else { throw FieldError.expected("a list of numbers, e.g. [4.4, 13.7, 32.6]") }
            preset[keyPath: path] = xs
        }
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(_ path: WritableKeyPath<HardwarePreset, T> & Sendable) -> PresetField where T.RawValue == String {
        PresetField { preset, value in
            guard case let .string(s) = value, let v = T(rawValue: s) else {
                throw FieldError.expected("one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            preset[keyPath: path] = v
        }
    }
}

extension HardwarePreset {
    /// Every field a config file may set, by name (the Codable key of ``CrossbarGeometry`` and
    /// ``TechnologyParameters``; a test checks that the two lists agree).
    static let fields: [String: PresetField] = [
        "arrayRows": .int(\.geometry.arrayRows),
        "arrayColumns": .int(\.geometry.arrayColumns),
        "cellBits": .int(\.geometry.cellBits),
        "weightBits": .int(\.geometry.weightBits),
        "activationBits": .int(\.geometry.activationBits),
        "adcBits": .int(\.geometry.adcBits),
        "columnsPerADC": .int(\.geometry.columnsPerADC),
        "peArrayRows": .int(\.geometry.peArrayRows),
        "peArrayColumns": .int(\.geometry.peArrayColumns),
        "sparePEFraction": .double(\.geometry.sparePEFraction),
        "inputMode": .choice(\.geometry.inputMode),
        "rowMapping": .choice(\.geometry.rowMapping),
        "floorplan": .choice(\.geometry.floorplan),
        "pipelineSpeedUp": .int(\.geometry.pipelineSpeedUp),
        "maskPacking": .choice(\.geometry.maskPacking),
        "ksmRealValueBits": .int(\.geometry.ksmRealValueBits),
        "rowDriveEnergyPicojoules": .double(\.technology.rowDriveEnergyPicojoules),
        "wordLineEnergyPerCellPicojoules": .double(\.technology.wordLineEnergyPerCellPicojoules),
        "arrayReadEnergyPerCellPicojoules": .double(\.technology.arrayReadEnergyPerCellPicojoules),
        "adcPeripheryEnergyPerConversionPicojoules": .double(\.technology.adcPeripheryEnergyPerConversionPicojoules),
        "convertsUnusedColumns": .bool(\.technology.convertsUnusedColumns),
        "pipelinedInterconnectFactor": .double(\.technology.pipelinedInterconnectFactor),
        "inputBitDensity": .double(\.technology.inputBitDensity),
        "adcKind": .choice(\.technology.adcKind),
        "adcEnergyPerConversionPicojoules": .double(\.technology.adcEnergyPerConversionPicojoules),
        "adcReferenceBits": .int(\.technology.adcReferenceBits),
        "shiftAddInputEnergyPerConversionPicojoules": .double(\.technology.shiftAddInputEnergyPerConversionPicojoules),
        "shiftAddWeightEnergyPicojoules": .double(\.technology.shiftAddWeightEnergyPicojoules),
        "maskBufferEnergyPerBitPicojoules": .double(\.technology.maskBufferEnergyPerBitPicojoules),
        "adderTreeEnergyPer128UnitsPicojoules": .list(\.technology.adderTreeEnergyPer128UnitsPicojoules),
        "reluEnergyPer128UnitsPicojoules": .double(\.technology.reluEnergyPer128UnitsPicojoules),
        "globalBufferEnergyPerBitPicojoules": .double(\.technology.globalBufferEnergyPerBitPicojoules),
        "interconnectEnergyPerBitPicojoules": .double(\.technology.interconnectEnergyPerBitPicojoules),
        "cellAreaSquareMicrometers": .double(\.technology.cellAreaSquareMicrometers),
        "rowDriverAreaSquareMicrometers": .double(\.technology.rowDriverAreaSquareMicrometers),
        "adcAreaSquareMicrometers": .double(\.technology.adcAreaSquareMicrometers),
        "shiftAddInputAreaSquareMicrometers": .double(\.technology.shiftAddInputAreaSquareMicrometers),
        "shiftAddWeightAreaSquareMicrometers": .double(\.technology.shiftAddWeightAreaSquareMicrometers),
        "maskBufferAreaPerBitSquareMicrometers": .double(\.technology.maskBufferAreaPerBitSquareMicrometers),
        "adderTreeAreaPer128UnitsSquareMicrometers": .list(\.technology.adderTreeAreaPer128UnitsSquareMicrometers),
        "reluAreaPer128UnitsSquareMicrometers": .double(\.technology.reluAreaPer128UnitsSquareMicrometers),
        "globalBufferAreaPerBitSquareMicrometers": .double(\.technology.globalBufferAreaPerBitSquareMicrometers),
        "writeVoltageVolts": .double(\.technology.writeVoltageVolts),
        "writePulseWidthNanoseconds": .double(\.technology.writePulseWidthNanoseconds),
        "writePulsesFullRange": .double(\.technology.writePulsesFullRange),
        "onResistanceOhms": .double(\.technology.onResistanceOhms),
        "offResistanceOhms": .double(\.technology.offResistanceOhms),
        "bitLineCapacitancePerRowFemtofarads": .double(\.technology.bitLineCapacitancePerRowFemtofarads),
        "columnDriveEnergyPicojoules": .double(\.technology.columnDriveEnergyPicojoules),
        "writeModel": .choice(\.technology.writeModel),
        "countsNeuroSimInputVectors": .bool(\.technology.countsNeuroSimInputVectors),
        "sizesGlobalBufferLikeNeuroSim": .bool(\.technology.sizesGlobalBufferLikeNeuroSim),
        "papersCellFullRangeWriteEnergyNanojoules": .double(\.technology.papersCellFullRangeWriteEnergyNanojoules),
        "papersPEWriteEnergyPerCellNanojoules": .double(\.technology.papersPEWriteEnergyPerCellNanojoules),
    ]
}
