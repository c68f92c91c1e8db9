import Foundation

extension DeviceModel {
    /// A device from a config file (``HardwareConfig``'s JSON or flat YAML): `preset:` names a
    /// start (`PRESET[+PRESET…]`, default `ideal`), every other key overrides a field by name.
    ///
    /// ```yaml
    /// preset: wan2022+stuck-1pct
    /// stuckHighRate: 0.002
    /// levelSigma: [0.01, 0.02, 0.02, 0.01]
    /// ```
    public init(config: HardwareConfig, cellLevels: Int) throws {
        var model: DeviceModel
        do { model = try DevicePreset.model(named: config.presetName ?? "ideal") } catch let error as CrossbarError {
            throw CrossbarError.malformedConfig(file: config.file, line: nil, message: "preset: \(error)")
        }
        for entry in config.entries {
            let value: Value
            switch entry.value {
            case .number(let v): value = .number(v)
            case .list(let l): value = .list(l)
            case .bool, .string:
                throw CrossbarError.malformedConfig(file: config.file, line: entry.line,
                                                    message: "\(entry.key): expected a number or a list of numbers")
            }
            do { model = try model.applying([(entry.key, value)]) } catch let error as CrossbarError {
                throw CrossbarError.malformedConfig(file: config.file, line: entry.line, message: "\(error)")
            }
        }
        do { try model.validate(cellLevels: cellLevels) } catch let error as CrossbarError {
            throw CrossbarError.malformedConfig(file: config.file, line: nil, message: "\(error)")
        }
        self = model
    }
}
