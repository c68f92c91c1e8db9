import Foundation

/// Overrides of a preset's fields, read from a JSON or flat YAML file.
///
/// Keys are the field names of ``CrossbarGeometry`` and ``TechnologyParameters`` (one flat
/// namespace: no name is in both), plus `preset` to start from a named preset. JSON may also
/// nest them under `geometry` and `technology`, the shape `xmask hw --list-presets --json`
/// prints. YAML is the flat subset `key: value` — numbers, `true`/`false`, strings, and flow
/// lists `[4.4, 13.7, 32.6]`; `#` starts a comment; indented (nested) lines are refused.
///
/// ```yaml
/// preset: xbm-32nm
/// arrayRows: 128
/// arrayColumns: 128
/// adcEnergyPerConversionPicojoules: 0.035
/// ```
public struct HardwareConfig: Sendable, Equatable {
    /// One `key: value` with the line it came from (YAML only).
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: ConfigValue
        public var line: Int?
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

    /// Reads `url`: JSON if the first non-blank character is `{`, else flat YAML.
    public static func load(contentsOf url: URL) throws -> HardwareConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CrossbarError.malformedConfig(file: url.path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: url.path)
    }

    /// Parses JSON or flat YAML text.
    public static func parse(_ text: String, file: String) throws -> HardwareConfig {
        if text.drop(while: { $0.isWhitespace }).first == "{" { return try parseJSON(text, file: file) }
        return try parseYAML(text, file: file)
    }

    static func parseJSON(_ text: String, file: String) throws -> HardwareConfig {
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
            if key == "preset" {
                guard case let .string(name) = parsed else {
                    throw CrossbarError.malformedConfig(file: file, line: nil, message: "preset: expected a preset name")
                }
                config.presetName = name
            } else if key == "name" || key == "summary" || key == "source" {
                continue  // descriptive fields of a printed preset
            } else {
                config.entries.append(Entry(key: key, value: parsed, line: nil))
            }
        }
        return config
    }

    static func parseYAML(_ text: String, file: String) throws -> HardwareConfig {
        var config = HardwareConfig(file: file)
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = String(raw)
            if let hash = line.firstIndex(of: "#"), line[..<hash].filter({ $0 == "\"" || $0 == "'" }).count % 2 == 0 {
                line = String(line[..<hash])
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("---") { continue }
            guard let first = line.first, !first.isWhitespace, !line.hasPrefix("- ") else {
                throw CrossbarError.malformedConfig(file: file, line: lineNumber, message: "nested YAML is not supported: use flat `key: value` lines")
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw CrossbarError.malformedConfig(file: file, line: lineNumber, message: "expected `key: value`")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let text = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw CrossbarError.malformedConfig(file: file, line: lineNumber, message: "'\(key)': expected a field name")
            }
            guard !text.isEmpty else {
                throw CrossbarError.malformedConfig(file: file, line: lineNumber, message: "\(key): missing value (nested YAML is not supported)")
            }
            let value = try yamlValue(text, key: key, file: file, line: lineNumber)
            if key == "preset" {
                guard case let .string(name) = value else {
                    throw CrossbarError.malformedConfig(file: file, line: lineNumber, message: "preset: expected a preset name")
                }
                config.presetName = name
            } else {
                config.entries.append(Entry(key: key, value: value, line: lineNumber))
            }
        }
        return config
    }

    static func yamlValue(_ text: String, key: String, file: String, line: Int) throws -> ConfigValue {
        if text.hasPrefix("["), text.hasSuffix("]") {
            let items = text.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var numbers: [Double] = []
            for item in items where !item.isEmpty {
                guard let x = Double(item.replacingOccurrences(of: "_", with: "")) else {
                    throw CrossbarError.malformedConfig(file: file, line: line, message: "\(key): '\(item)' in the list is not a number")
                }
                numbers.append(x)
            }
            return .list(numbers)
        }
        if (text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2) || (text.hasPrefix("'") && text.hasSuffix("'") && text.count >= 2) {
            return .string(String(text.dropFirst().dropLast()))
        }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if let x = Double(text.replacingOccurrences(of: "_", with: "")) { return .number(x) }
        return .string(text)
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
