import Foundation
import Testing
@testable import XMaskCrossbar

struct HardwareConfigTests {
    @Test func flatYAMLOverridesFieldsByName() throws {
        let yaml = """
        # a 128×128 variant
        preset: xbm-32nm
        arrayRows: 128
        arrayColumns: 128   # wider arrays
        adcEnergyPerConversionPicojoules: 0.04
        adderTreeEnergyPer128UnitsPicojoules: [4, 12, 30]
        adcKind: multilevel-sense-amp
        """
        let config = try HardwareConfig.parse(yaml, file: "hw.yaml")
        #expect(config.presetName == "xbm-32nm")
        let preset = try config.apply(to: .xbm32nm)
        #expect(preset.geometry.arrayRows == 128 && preset.geometry.arrayColumns == 128)
        #expect(preset.technology.adcEnergyPerConversionPicojoules == 0.04)
        #expect(preset.technology.adderTreeEnergyPer128UnitsPicojoules == [4, 12, 30])
        #expect(preset.technology.adcKind == .multilevelSenseAmp)
        // Untouched fields keep the preset's values.
        #expect(preset.geometry.cellBits == 2 && preset.technology.reluEnergyPer128UnitsPicojoules == 0.9)
    }

    @Test func jsonAcceptsFlatAndNestedKeys() throws {
        let flat = try HardwareConfig.parse(#"{"cellBits": 1, "writeVoltageVolts": 2.5}"#, file: "hw.json").apply(to: .xbm32nm)
        #expect(flat.geometry.cellBits == 1 && flat.technology.writeVoltageVolts == 2.5)
        // The shape --list-presets --json prints round-trips.
        let printed = try JSONEncoder().encode(HardwarePreset.xbm32nm)
        let nested = try HardwareConfig.parse(String(decoding: printed, as: UTF8.self), file: "preset.json")
        #expect(try nested.apply(to: .xbm32nm) == .xbm32nm)
    }

    @Test func everyCodableFieldIsOverridable() throws {
        func keys<T: Encodable>(_ value: T) throws -> Set<String> {
            Set((try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any] ?? [:]).keys)
        }
        let codable = try keys(HardwarePreset.xbm32nm.geometry).union(keys(HardwarePreset.xbm32nm.technology))
        #expect(codable == Set(HardwarePreset.fields.keys))
        #expect(try keys(HardwarePreset.xbm32nm.geometry).isDisjoint(with: keys(HardwarePreset.xbm32nm.technology)))
    }

    @Test func unknownKeyNamesTheLine() {
        let yaml = "arrayRows: 64\narrayCols: 64\n"
        do {
            _ = try HardwareConfig.parse(yaml, file: "hw.yaml").apply(to: .xbm32nm)
            Issue.record("accepted arrayCols")
        } catch let CrossbarError.malformedConfig(file, line, message) {
            #expect(file == "hw.yaml" && line == 2)
            #expect(message.contains("unknown key 'arrayCols'") && message.contains("arrayColumns"))
        } catch { Issue.record("\(error)") }
    }

    @Test(arguments: [
        ("arrayRows: -8\n", 1, "arrayRows = -8"),
        ("cellBits: 2\narrayRows: 7.5\n", 2, "arrayRows: expected an integer"),
        ("geometry:\n  arrayRows: 8\n", 1, "nested YAML"),
        ("arrayRows 8\n", 1, "expected `key: value`"),
        ("offResistanceOhms: 10\n", 1, "offResistanceOhms"),
        ("adderTreeEnergyPer128UnitsPicojoules: [1, x]\n", 1, "not a number"),
    ])
    func badValuesNameLineAndField(yaml: String, line: Int, message: String) {
        do {
            _ = try HardwareConfig.parse(yaml, file: "hw.yaml").apply(to: .xbm32nm)
            Issue.record("accepted \(yaml)")
        } catch let CrossbarError.malformedConfig(_, errorLine, errorMessage) {
            #expect(errorLine == line)
            #expect(errorMessage.contains(message), "\(errorMessage)")
        } catch { Issue.record("\(error)") }
    }
}
