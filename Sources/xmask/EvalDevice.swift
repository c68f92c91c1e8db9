import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask eval --device …`: the bundle's tasks on perturbed chips (issue 16).
struct DeviceEvalOptions: ParsableArguments {
    @Option(help: "Evaluate on non-ideal ReRAM cells: PRESET[+PRESET…] (see --list-devices).")
    var device: String?

    @Option(help: "Evaluate on a device read from a JSON or flat YAML file: `preset: PRESET[+PRESET…]` and any DeviceModel field by name (instead of --device).")
    var deviceConfig: String?

    @Option(help: "Chips drawn (with --device). (default: 10)")
    var trials: Int?

    @Option(help: "Seed of the chips' draws (with --device). (default: 1)")
    var seed: UInt64?

    @Option(help: "Unlabeled training batches (64 images) to re-estimate each task's batch norm on the noisy chip (with --device; 0 = off). (default: 0)")
    var recalibrateBatches: Int?

    @Option(help: "Evaluate on a stratified sample of this many test images per task (with --device).")
    var testSubset: Int?

    @Flag(help: "List the device presets and exit.")
    var listDevices = false

    /// The spec for messages and the device, from --device or --device-config (nil: neither).
    func resolved(cellLevels: Int) throws -> (name: String, model: DeviceModel)? {
        if let device { return (device, try Self.model(device)) }
        guard let deviceConfig else { return nil }
        do {
            let config = try HardwareConfigFile.load(contentsOf: URL(fileURLWithPath: deviceConfig))
            return (deviceConfig, try DeviceModel(config: config, cellLevels: cellLevels))
        } catch let error as CrossbarError {
            throw ValidationError("--device-config: \(error)")
        }
    }

    func validate() throws {
        if device != nil && deviceConfig != nil { throw ValidationError("give --device or --device-config, not both") }
        if device == nil && deviceConfig == nil {
            for (name, set) in [("--trials", trials != nil), ("--seed", seed != nil),
                                ("--recalibrate-batches", recalibrateBatches != nil), ("--test-subset", testSubset != nil)] where set {
                throw ValidationError("\(name) needs --device PRESET or --device-config FILE")
            }
        }
        if let device { _ = try Self.model(device) }
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if let b = recalibrateBatches, b < 0 { throw ValidationError("--recalibrate-batches must be ≥ 0, got \(b)") }
        if let n = testSubset, n < 1 { throw ValidationError("--test-subset must be at least 1, got \(n)") }
    }

    static func model(_ spec: String) throws -> DeviceModel {
        do { return try DevicePreset.model(named: spec) } catch let error as CrossbarError {
            throw ValidationError("--device: \(error)")
        }
    }
}

extension Eval {
    func validate() throws {
        if !device.listDevices && bundle == nil { throw ValidationError("--bundle is required (or --list-devices)") }
    }

    /// Handles `--list-devices` and `--device`; false when plain `xmask eval` should run.
    func runDevice() throws -> Bool {
        if device.listDevices {
            if options.json {
                struct Row: Encodable { var name: String; var summary: String; var source: String; var model: DeviceModel }
                try printJSON(DevicePreset.all.map { Row(name: $0.name, summary: $0.summary, source: $0.source, model: $0.model) })
            } else {
                let width = (DevicePreset.all.map(\.name.count).max() ?? 0) + 2
                for p in DevicePreset.all {
                    print(p.name.padding(toLength: width, withPad: " ", startingAt: 0) + p.summary)
                    print(String(repeating: " ", count: width) + "source: " + p.source)
                }
                print("Combine with '+', e.g. --device wan2022+stuck-1pct; a later preset's effects replace an earlier one's.")
            }
            return true
        }
        guard device.device != nil || device.deviceConfig != nil, let bundle else { return false }
        let opened = try TaskBundle.open(URL(fileURLWithPath: bundle))
        guard let resolved = try device.resolved(cellLevels: opened.manifest.geometry.cellLevels) else { return false }
        let spec = resolved.name
        var o = DeviceEvaluationOptions(deviceName: spec, device: resolved.model)
        o.trials = device.trials ?? 10
        o.seed = device.seed ?? 1
        o.recalibrationBatches = device.recalibrateBatches ?? 0
        o.testSubset = device.testSubset
        let result = try options.withThreads {
            try evaluateBundle(opened, device: o, reporter: TerminalReporter(quiet: options.quiet))
        }
        if options.json { try printJSON(result); return true }
        func pct(_ v: Double) -> String { String(format: "%6.2f%%", 100 * v) }
        print("device \(spec), \(o.trials) trials, seed \(o.seed), BN re-estimation \(o.recalibrationBatches) batches")
        print("task              method              ideal      on device (mean ± std)")
        for r in result.tasks {
            let name = r.task.padding(toLength: 17, withPad: " ", startingAt: 0)
            let method = r.method.padding(toLength: 19, withPad: " ", startingAt: 0)
            print("\(name) \(method) \(pct(r.idealAccuracy))    \(pct(r.mean)) ± \(String(format: "%.2f", 100 * r.std)) pp")
        }
        return true
    }
}
