import Foundation
import XMaskCrossbar
import Yams

/// Reads a hardware config file (`xmask hw --config FILE`) into the crossbar model's
/// ``XMaskCrossbar/HardwareConfig``: JSON (parsed by the crossbar model) or YAML (parsed here
/// with Yams, as every YAML file of xmask is; the crossbar model imports nothing).
///
/// Keys are the field names of `CrossbarGeometry` and `TechnologyParameters`, plus `preset`; both
/// formats may nest them under `geometry` and `technology` (the shape `xmask hw --list-presets
/// --json` prints). Values are numbers, `true`/`false`, strings, or lists of numbers.
///
/// ```yaml
/// preset: xbm-32nm
/// arrayRows: 128
/// arrayColumns: 128
/// adcEnergyPerConversionPicojoules: 0.035
/// ```
public enum HardwareConfigFile {
    /// Reads `url`: JSON if the first non-blank character is `{`, else YAML.
    public static func load(contentsOf url: URL) throws -> HardwareConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CrossbarError.malformedConfig(file: url.path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: url.path)
    }

    /// Parses JSON or YAML text; errors name the file, the line (YAML) and the key.
    public static func parse(_ text: String, file: String) throws -> HardwareConfig {
        // Both parsers recurse once per nesting level: bound the depth before either sees the text.
        do { try ExperimentFile.checkSize(text, file: file) } catch let e as ExperimentFileError {
            throw CrossbarError.malformedConfig(file: file, line: e.line, message: e.problem)
        }
        if text.drop(while: { $0.isWhitespace }).first == "{" { return try HardwareConfig.parseJSON(text, file: file) }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let e as YamlError {
            throw CrossbarError.malformedConfig(file: file, line: ExperimentFileParser.line(of: e),
                                                message: "not valid YAML: \(ExperimentFileParser.problem(of: e))")
        }
        var config = HardwareConfig(file: file)
        guard let root else { return config }
        guard let top = root.mapping else {
            throw CrossbarError.malformedConfig(file: file, line: root.mark?.line, message: "expected a mapping of field: value")
        }
        var flat: [(key: Node, value: Node)] = []
        for (k, v) in top {
            if let name = k.scalar?.string, name == "geometry" || name == "technology", let nested = v.mapping {
                flat += nested.map { ($0.key, $0.value) }
            } else {
                flat.append((k, v))
            }
        }
        for (k, v) in flat {
            let line = k.mark?.line
            guard let key = k.scalar?.string, !key.isEmpty else {
                throw CrossbarError.malformedConfig(file: file, line: line, message: "keys must be field names")
            }
            try config.add(key: key, value: try configValue(v, key: key, file: file), line: line)
        }
        return config
    }

    static func configValue(_ node: Node, key: String, file: String) throws -> HardwareConfig.ConfigValue {
        switch node {
        case .scalar(let s):
            if s.style == .plain {
                if let b = node.bool { return .bool(b) }
                if let x = node.float, node.null == nil { return .number(x) }
            }
            return .string(s.string)
        case .sequence(let items):
            return .list(try items.map { item in
                guard item.scalar?.style == .plain, let x = item.float else {
                    throw CrossbarError.malformedConfig(file: file, line: item.mark?.line,
                                                        message: "\(key): '\(item.scalar?.string ?? "…")' in the list is not a number")
                }
                return x
            })
        case .mapping:
            throw CrossbarError.malformedConfig(file: file, line: node.mark?.line,
                                                message: "\(key): expected a number, string or list of numbers, found a mapping (only geometry and technology nest)")
        }
    }
}
