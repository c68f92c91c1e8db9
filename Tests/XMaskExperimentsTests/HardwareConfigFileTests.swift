import Foundation
import Testing
import XMaskCrossbar
import XMaskExperiments

/// YAML hardware configs are read with Yams (the crossbar model takes the entries).
struct HardwareConfigFileTests {
    @Test func yamlOverridesFieldsByName() throws {
        let yaml = """
        # a 128×128 variant
        preset: xbm-32nm
        arrayRows: 128
        arrayColumns: 128   # wider arrays
        adcEnergyPerConversionPicojoules: 0.04
        adderTreeEnergyPer128UnitsPicojoules: [4, 12, 30]
        adcKind: multilevel-sense-amp
        """
        let config = try HardwareConfigFile.parse(yaml, file: "hw.yaml")
        #expect(config.presetName == "xbm-32nm")
        let preset = try config.apply(to: .xbm32nm)
        #expect(preset.geometry.arrayRows == 128 && preset.geometry.arrayColumns == 128)
        #expect(preset.technology.adcEnergyPerConversionPicojoules == 0.04)
        #expect(preset.technology.adderTreeEnergyPer128UnitsPicojoules == [4, 12, 30])
        #expect(preset.technology.adcKind == .multilevelSenseAmp)
        // Untouched fields keep the preset's values.
        #expect(preset.geometry.cellBits == 2 && preset.technology.reluEnergyPer128UnitsPicojoules == 0.9)
    }

    @Test func unknownKeyNamesTheLine() {
        let yaml = "arrayRows: 64\narrayCols: 64\n"
        do {
            _ = try HardwareConfigFile.parse(yaml, file: "hw.yaml").apply(to: .xbm32nm)
            Issue.record("accepted arrayCols")
        } catch let CrossbarError.malformedConfig(file, line, message) {
            #expect(file == "hw.yaml" && line == 2)
            #expect(message.contains("unknown key 'arrayCols'") && message.contains("arrayColumns"))
        } catch { Issue.record("\(error)") }
    }

    @Test(arguments: [
        ("arrayRows: -8\n", 1, "arrayRows = -8"),
        ("cellBits: 2\narrayRows: 7.5\n", 2, "arrayRows: expected an integer"),
        ("arrayRows:\n  rows: 8\n", 2, "found a mapping"),
        ("arrayRows 8\n", 1, "expected a mapping"),
        ("arrayRows: [8\n", 2, "not valid YAML"),
        ("offResistanceOhms: 10\n", 1, "offResistanceOhms"),
        ("adderTreeEnergyPer128UnitsPicojoules: [1, x]\n", 1, "not a number"),
    ])
    func badValuesNameLineAndField(yaml: String, line: Int, message: String) {
        do {
            _ = try HardwareConfigFile.parse(yaml, file: "hw.yaml").apply(to: .xbm32nm)
            Issue.record("accepted \(yaml)")
        } catch let CrossbarError.malformedConfig(_, errorLine, errorMessage) {
            #expect(errorLine == line)
            #expect(errorMessage.contains(message), "\(errorMessage)")
        } catch { Issue.record("\(error)") }
    }

    @Test func yamlMayNestLikeThePrintedPreset() throws {
        let yaml = "preset: xbm-32nm\ngeometry:\n  arrayRows: 64\ntechnology:\n  writeVoltageVolts: 3\n"
        let preset = try HardwareConfigFile.parse(yaml, file: "hw.yaml").apply(to: .xbm32nm)
        #expect(preset.geometry.arrayRows == 64 && preset.technology.writeVoltageVolts == 3)
    }
}
