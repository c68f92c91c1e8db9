import Foundation
import Testing
@testable import XMaskCrossbar

struct HardwareConfigTests {
    @Test func jsonAcceptsFlatAndNestedKeys() throws {
        let flat = try HardwareConfig.parseJSON(#"{"cellBits": 1, "writeVoltageVolts": 2.5}"#, file: "hw.json").apply(to: .xbm32nm)
        #expect(flat.geometry.cellBits == 1 && flat.technology.writeVoltageVolts == 2.5)
        // The shape --list-presets --json prints round-trips.
        let printed = try JSONEncoder().encode(HardwarePreset.xbm32nm)
        let nested = try HardwareConfig.parseJSON(String(decoding: printed, as: UTF8.self), file: "preset.json")
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
}
