import Foundation
import XMaskCrossbar

extension ExperimentKeys {
    static let device = ["seed", "trials", "test_subset", "recalibrate_batches", "points"]
    /// A point's own keys; every ``DeviceModel`` field follows in snake case (``deviceFields``).
    static let devicePoint = ["name", "preset", "recalibrate_batches", "stuck_rate"]
    /// `stuck_low_rate` → `stuckLowRate`, for every ``DeviceModel/fieldNames`` entry.
    static let deviceFields: [(snake: String, field: String)] = DeviceModel.fieldNames.map { name in
        (name.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }, name)
    }
}

extension ExperimentFileParser {
    /// The `device:` section (``DeviceStudy``): every point's preset resolved, its overrides
    /// applied and the result checked against the study's cell levels, each error naming its key.
    func parseDevice(_ node: KeyedNode, cellLevels: Int) throws -> DeviceStudy {
        let m = try node.mapping(keys: ExperimentKeys.device)
        let pointsNode = try m.required("points")
        let list = try pointsNode.list()
        if list.isEmpty { throw pointsNode.error("expected at least one device point") }
        var section = DeviceStudy(points: [])
        if let v = m["seed"] { section.seed = UInt64(try v.int(0...Int.max)) }
        if let v = m["trials"] { section.trials = try v.int(1...100_000) }
        if let v = m["test_subset"] { section.testSubset = try v.int(1...Int.max) }
        if let v = m["recalibrate_batches"] { section.recalibrationBatches = try recalibrationBatches(v) }
        var seen: [String: KeyedNode] = [:]
        for p in list {
            let point = try parseDevicePoint(p, cellLevels: cellLevels)
            for b in point.recalibrationBatches ?? section.recalibrationBatches {
                let key = DeviceStudy.Run(point: point, recalibrationBatches: b).key
                if seen[key] != nil { throw p.error("point \(key) is listed twice (names and re-estimation settings must be unique)") }
                seen[key] = p
            }
            section.points.append(point)
        }
        return section
    }

    /// One count or a list of distinct counts of BN re-estimation batches.
    func recalibrationBatches(_ node: KeyedNode) throws -> [Int] {
        let values = node.node.sequence != nil ? try node.list() : [node]
        if values.isEmpty { throw node.error("expected at least one number of batches (0 = no re-estimation)") }
        var out: [Int] = []
        for v in values {
            let b = try v.int(0...100_000)
            if out.contains(b) { throw v.error("\(b) is listed twice") }
            out.append(b)
        }
        return out
    }

    func parseDevicePoint(_ node: KeyedNode, cellLevels: Int) throws -> DeviceStudy.Point {
        let m = try node.mapping(keys: ExperimentKeys.devicePoint + ExperimentKeys.deviceFields.map(\.snake))
        let overrides = m.entries.filter { !["name", "preset", "recalibrate_batches"].contains($0.0) }
        let preset = try m["preset"]?.string() ?? "ideal"
        var model: DeviceModel
        do { model = try DevicePreset.model(named: preset) } catch { throw m["preset"].map { $0.error("\(error)") } ?? node.error("\(error)") }
        let name: String
        if let n = m["name"] {
            name = try n.string()
            try checkName(name, n)
        } else if overrides.isEmpty {
            name = preset.replacingOccurrences(of: "+", with: "_")
            try checkName(name, m["preset"] ?? node)
        } else {
            throw node.error("a point with overrides needs a name (e.g. name: my-device)")
        }
        for (key, value) in overrides {
            if key == "stuck_rate" {
                // As the stuck-* presets: half of the stuck cells at g_min, half at g_max.
                let r = try value.double(min: 0, max: 1)
                model.stuckLowRate = r / 2
                model.stuckHighRate = r / 2
                continue
            }
            let field = ExperimentKeys.deviceFields.first { $0.snake == key }!.field
            let v: DeviceModel.Value
            if value.node.sequence != nil {
                v = .list(try value.list().map { try $0.double(min: -Double.greatestFiniteMagnitude, max: .greatestFiniteMagnitude) })
            } else {
                v = .number(try value.double(min: -Double.greatestFiniteMagnitude, max: .greatestFiniteMagnitude))
            }
            do { model = try model.applying([(field, v)]) } catch { throw value.error("\(error)") }
            do { try model.validate(cellLevels: cellLevels) } catch { throw value.error("\(error)") }
        }
        if m["stuck_rate"] != nil, m["stuck_low_rate"] != nil || m["stuck_high_rate"] != nil {
            throw m["stuck_rate"]!.error("give stuck_rate (half low, half high) or stuck_low_rate/stuck_high_rate, not both")
        }
        do { try model.validate(cellLevels: cellLevels) } catch { throw node.error("\(error)") }
        return DeviceStudy.Point(name: name, preset: preset, model: model,
                                 recalibrationBatches: try m["recalibrate_batches"].map(recalibrationBatches))
    }
}
