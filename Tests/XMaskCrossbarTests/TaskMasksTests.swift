import Foundation
import Testing
@testable import XMaskCrossbar

struct TaskMasksTests {
    let net = NetworkShape(name: "two", layers: [.conv("a", input: 8, 16, 40, kernel: 3), .conv("b", input: 8, 40, 10, kernel: 1)])

    func masks(levelsA: [Float]? = nil) -> TaskMasks {
        TaskMasks(method: .xma(shiftLevels: 3), arrayRows: 72, layers: [
            TaskLayerMask(name: "a", columnMask: LayerColumnMask(rowChunks: 2, outputChannels: 40, levels: levelsA ?? (0..<80).map { [0, 0.125, 0.25, 0.5, 1][$0 % 5] })),
            TaskLayerMask(name: "b", columnMask: LayerColumnMask(rowChunks: 1, outputChannels: 10, levels: Array(repeating: 1, count: 10))),
        ])
    }

    @Test func roundTripsThroughJSON() throws {
        let original = masks()
        let decoded = try TaskMasks.decode(original.encoded(), file: "t.json")
        #expect(decoded == original)
        #expect(try decoded.adaptationMethod() == .xma(shiftLevels: 3))
    }

    @Test func realMasksDriveEnergyAndMemory() throws {
        let model = HardwareModel()
        let r = try model.report(network: net, method: .xma(shiftLevels: 3), activity: .masks(masks(), file: "t.json"))
        #expect(r.activitySource == "t.json")
        #expect(abs(r.layers[0].activeColumnFraction - 0.8) < 1e-12)  // one level in five is 0
        #expect(r.layers[1].activeColumnFraction == 1)
        #expect(r.totals.maskValues == 90)
    }

    @Test func mismatchesAreNamed() throws {
        let mapping = try NetworkMapping(network: net, geometry: CrossbarGeometry())
        func message(_ m: TaskMasks, _ method: AdaptationMethod = .xma(shiftLevels: 3)) -> String {
            do { try m.validate(against: mapping, method: method, file: "t.json"); return "" } catch { return "\(error)" }
        }
        var m = masks()
        m.layers.removeLast()
        #expect(message(m).contains("1 entries, expected 2"))
        m = masks()
        m.layers[0].columnMask?.levels[7] = 0.3
        #expect(message(m).contains("layers[0] (a).columnMask.levels[7] = 0.3"))
        m = masks()
        m.layers[1].name = "c"
        #expect(message(m).contains("layers[1] (b).name = 'c'"))
        m = masks()
        m.arrayRows = 64
        #expect(message(m).contains("arrayRows = 64"))
        // XBM allows only 0 and 1.
        #expect(message(masks(), .xbm).contains("expected one of 0.0, 1.0"))
        m = masks()
        m.layers[0].reprogramming = LayerReprogramming(cellTransitions: [[1, 2], [3, 4]])
        #expect(message(m).contains("4 × 4 matrix"))
        m = masks()
        m.layers[0].reprogramming = LayerReprogramming(reprogrammedPEs: [0])
        #expect(message(m).contains("only XMA2"))
    }

    @Test func decodingErrorsNameTheKey() {
        let bad = #"{"format": "xmask-task-masks", "version": 1, "method": "xbm", "arrayRows": "72", "layers": []}"#
        do { _ = try TaskMasks.decode(Data(bad.utf8), file: "t.json"); Issue.record("accepted") } catch {
            #expect("\(error)".contains("t.json") && "\(error)".contains("arrayRows"))
        }
        let wrongFormat = #"{"format": "other", "version": 1, "method": "xbm", "arrayRows": 72, "layers": []}"#
        #expect(throws: CrossbarError.self) { try TaskMasks.decode(Data(wrongFormat.utf8), file: "t.json") }
    }

    @Test func measuredTransitionsAndPEsAreUsed() throws {
        let model = HardwareModel()
        let transitions = [[0, 10, 0, 0], [0, 0, 0, 0], [0, 0, 0, 5], [0, 0, 0, 0]]
        let m = TaskMasks(method: .xma2(peFraction: 0.5, shiftLevels: 3), arrayRows: 72, layers: [
            TaskLayerMask(name: "a", columnMask: LayerColumnMask(rowChunks: 2, outputChannels: 40, levels: Array(repeating: 0, count: 80)),
                          reprogramming: LayerReprogramming(reprogrammedPEs: [0], cellTransitions: transitions)),
            TaskLayerMask(name: "b", columnMask: LayerColumnMask(rowChunks: 1, outputChannels: 10, levels: Array(repeating: 0, count: 10))),
        ])
        var preset = HardwarePreset.xbm32nm
        preset.geometry.sparePEFraction = 0.5
        let r = try HardwareModel(preset: preset).report(network: net, method: .xma2(peFraction: 0.5, shiftLevels: 3), activity: .masks(m, file: "t.json"))
        let w = WriteModel(technology: model.preset.technology, geometry: model.preset.geometry)
        #expect(r.totals.reprogrammedCells == 15)
        #expect(abs(r.totals.reprogrammingEnergyMicrojoules - (10 * w.energyPicojoules[0][1] + 5 * w.energyPicojoules[2][3]) * 1e-6) < 1e-12)
        // The re-programmed PE stays on although its tier-2 levels are 0; layer b is all off.
        #expect(r.layers[0].activeColumnFraction == 1 && r.layers[1].activeColumnFraction == 0)
        #expect(r.totals.reprogrammedPEs == 1)
    }
}
