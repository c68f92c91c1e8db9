import Foundation
import Testing

/// The CLI's side of a study's `device:` section and of `eval --list-devices` (issue 16).
@Suite struct DeviceCLITests {
    /// A study on the demo data with `device` as its device section.
    func study(_ device: String, in scratch: Scratch) throws -> URL {
        let data = demoData.appendingPathComponent("optdigits").path
        let text = """
        name: dev
        backbone: {model: resnet20, data: \(data), classes: 10, image_size: 8, epochs: 1}
        tasks: [{name: a, data: \(data), classes: 10}]
        methods: [xbm, finetune]

        """ + device
        let url = scratch.url.appendingPathComponent("dev.yaml")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func checkListsTheDeviceRuns() throws {
        let scratch = try Scratch()
        let file = try study("""
        device:
          seed: 2
          trials: 4
          test_subset: 50
          points:
            - {name: clean, preset: ideal}
            - {preset: stuck-1pct, recalibrate_batches: [0, 10]}
        """, in: scratch)
        let r = try xmask(["reproduce", file.path, "--check"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("device: 3 runs (clean, stuck-1pct, stuck-1pct.bn10) × 4 chips, seed 2, 50 test images per task"), "\(r.stdout)")
        let plain = try xmask(["reproduce", try study("", in: scratch).path, "--check"])
        #expect(plain.status == 0 && !plain.stdout.contains("device:"), "\(plain.stdout)")
    }

    @Test func aBadDeviceSectionExitsNamingTheKey() throws {
        let scratch = try Scratch()
        let r = try xmask(["reproduce", try study("device: {trials: 0, points: [{preset: ideal}]}", in: scratch).path, "--check"])
        #expect(!r.signalled && r.status != 0)
        #expect(r.stderr.contains("device.trials"), "\(r.stderr)")
    }

    @Test func listDevicesAlignsEveryPresetsSummary() throws {
        let r = try xmask(["eval", "--list-devices"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("Combine") }
        let starts = Set(rows.map { row -> Int in
            let name = row.prefix { $0 != " " }
            return name.count + row.dropFirst(name.count).prefix { $0 == " " }.count
        })
        #expect(rows.count >= 10 && starts.count == 1, "\(r.stdout)")
        #expect(rows.contains { $0.hasPrefix("gaussian-10pct  plain Gaussian") })
    }
}
