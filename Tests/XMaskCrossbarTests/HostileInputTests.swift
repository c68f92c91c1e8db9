import Foundation
import Testing
@testable import XMaskCrossbar

/// NeuroSim CSV and masks JSON values a real network never has are refused with the field named.
struct HostileInputTests {
    @Test(arguments: [
        ("32,32,3,1000000,3,64,0,1\n", "field 4 (Kh) = 1000000: expected an integer in 1...64"),
        ("4611686018427387904,32,3,3,3,64,0,1\n", "field 1 (IFM_H) = 4611686018427387904"),
        ("32,32,3,2147483648,3,64,0,1\n", "field 4 (Kh)"),
        ("32,32,65536,64,64,65536,0,1\n", "weights: expected at most"),
        ("16384,16384,4096,3,3,4096,0,1\n", "multiply-accumulates: expected at most"),
        ("32,32,3,3,3,64,0,65\n", "field 8 (stride) = 65"),
    ])
    func csvDimensionsAreBounded(text: String, message: String) {
        do {
            _ = try NetworkShape.parseCSV(text, file: "n.csv")
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func csvLayerCountIsBounded() {
        let text = String(repeating: "8,8,8,3,3,8,0,1\n", count: NetworkShape.csvMaximumLayers + 1)
        #expect(throws: CrossbarError.self) { try NetworkShape.parseCSV(text, file: "n.csv") }
        #expect((try? NetworkShape.parseCSV(String(repeating: "8,8,8,3,3,8,0,1\n", count: 200), file: "n.csv"))?.layers.count == 200)
    }

    @Test func hugeCellTransitionCountsAreRefused() throws {
        let net = NetworkShape(name: "one", layers: [.conv("a", input: 8, 16, 40, kernel: 3)])
        let mapping = try NetworkMapping(network: net, geometry: CrossbarGeometry())
        let levels = mapping.geometry.cellLevels
        func masks(_ count: Int, at: (Int, Int) = (0, 1)) -> TaskMasks {
            var t = [[Int]](repeating: [Int](repeating: 0, count: levels), count: levels)
            t[at.0][at.1] = count
            return TaskMasks(method: .fineTune, arrayRows: 72, layers: [
                TaskLayerMask(name: "a", reprogramming: LayerReprogramming(cellTransitions: t)),
            ])
        }
        try masks(100).validate(against: mapping, method: .fineTune, file: "m.json")
        for count in [Int.max, 1 << 62, 16 * 40 * 9 * 16 + 1] {
            do {
                try masks(count).validate(against: mapping, method: .fineTune, file: "m.json")
                Issue.record("count \(count) accepted")
            } catch {
                #expect("\(error)".contains("cellTransitions: counts sum to"), "\(error)")
            }
        }
        // Two counts whose sum wraps around.
        var t = [[Int]](repeating: [Int](repeating: 0, count: levels), count: levels)
        t[0][1] = Int.max; t[1][0] = Int.max
        let wrapped = TaskMasks(method: .fineTune, arrayRows: 72, layers: [TaskLayerMask(name: "a", reprogramming: LayerReprogramming(cellTransitions: t))])
        #expect(throws: CrossbarError.self) { try wrapped.validate(against: mapping, method: .fineTune, file: "m.json") }
        // A count beyond Int in the JSON itself is a decode error, not a trap.
        let json = #"{"format":"xmask-task-masks","version":1,"method":"finetune","arrayRows":72,"layers":[{"reprogramming":{"cellTransitions":[[1e300]]}}]}"#
        #expect(throws: CrossbarError.self) { try TaskMasks.decode(Data(json.utf8), file: "m.json") }
    }
}
