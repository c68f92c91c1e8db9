import Foundation
import Testing
import XMaskCrossbar
import XMaskExperiments

/// Device config files are read by the same reader as `hw --config` (Yams for YAML).
struct DeviceConfigTests {
    @Test func aConfigFileStartsFromItsPresetAndOverridesFieldsByName() throws {
        let text = """
        preset: wan2022+stuck-1pct
        stuckHighRate: 0.002   # fewer cells stuck high
        levelSigma: [0.01, 0.02, 0.02, 0.01]
        """
        let m = try DeviceModel(config: try HardwareConfigFile.parse(text, file: "dev.yaml"), cellLevels: 4)
        #expect(m.programmingPolynomial == DevicePreset.wan2022Coefficients[0].coefficients)
        #expect(m.stuckLowRate == 0.005 && m.stuckHighRate == 0.002 && m.levelSigma == [0.01, 0.02, 0.02, 0.01])
        #expect(try DeviceModel(config: try HardwareConfigFile.parse("{\"readSigma\": 0.03}", file: "d.json"), cellLevels: 4).readSigma == 0.03)
    }

    @Test func badConfigsNameFileLineAndField() throws {
        #expect(throws: CrossbarError.malformedConfig(file: "d.yaml", line: 2, message: "device.stuckRate = 0.1: expected one of \(DeviceModel.fieldNames.joined(separator: ", "))")) {
            try DeviceModel(config: try HardwareConfigFile.parse("preset: ideal\nstuckRate: 0.1", file: "d.yaml"), cellLevels: 4)
        }
        #expect(throws: CrossbarError.self) { try DeviceModel(config: try HardwareConfigFile.parse("readSigma: true", file: "d.yaml"), cellLevels: 4) }
        #expect(throws: CrossbarError.self) { try DeviceModel(config: try HardwareConfigFile.parse("stuckLowRate: 1.5", file: "d.yaml"), cellLevels: 4) }
        #expect(throws: CrossbarError.self) { try DeviceModel(config: try HardwareConfigFile.parse("preset: nope", file: "d.yaml"), cellLevels: 4) }
    }
}
