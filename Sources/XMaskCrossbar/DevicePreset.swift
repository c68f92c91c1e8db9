/// A named ``DeviceModel`` with where its numbers come from.
public struct DevicePreset: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var source: String
    public var model: DeviceModel

    /// Wan et al., Nature 608 (2022), programming-error σ in µS for `g_max = 40 µS` as fitted
    /// in IBM aihwkit's `ReRamWan2022NoiseModel` (`src/aihwkit/inference/noise/reram.py`),
    /// ascending powers of `g/g_max`, at 1 s, 1 day and 2 days after programming.
    public static let wan2022Coefficients: [(label: String, seconds: Double, coefficients: [Double])] = [
        ("", 1, [0.348, 16.030, -43.853, 45.393, -16.815]),
        ("-1day", 86_400, [0.701, 22.086, -50.773, 47.095, -16.458]),
        ("-2days", 172_800, [0.782, 20.274, -43.507, 37.062, -11.934]),
    ]

    static let wanSource = "Wan et al., Nature 608, 504–512 (2022), 4th-order fit of the conductance error vs target as in IBM aihwkit ReRamWan2022NoiseModel (src/aihwkit/inference/noise/reram.py)"

    /// Every preset, in `--list-devices` order.
    public static let all: [DevicePreset] = {
        var out = [DevicePreset(name: "ideal", summary: "ideal cells: every cell reads its level exactly",
                                source: "—", model: DeviceModel())]
        for (label, seconds, c) in wan2022Coefficients {
            var m = DeviceModel()
            m.programmingPolynomial = c
            out.append(DevicePreset(
                name: "wan2022" + label,
                summary: "ReRAM programming error σ(g_target), read \(seconds == 1 ? "1 s" : label.dropFirst()) after programming",
                source: wanSource, model: m))
        }
        for (label, sigma) in [("2pct", 0.02), ("5pct", 0.05), ("10pct", 0.10)] {
            var m = DeviceModel()
            m.levelSigma = [sigma]
            out.append(DevicePreset(
                name: "gaussian-\(label)",
                summary: "plain Gaussian programming error, σ = \(Int(sigma * 100)) % of g_max at every level (level spacing 33 %)",
                source: "parametric (no fit): a noise level of the sweep", model: m))
        }
        for (label, rate) in [("0.1pct", 0.001), ("1pct", 0.01), ("5pct", 0.05)] {
            var m = DeviceModel()
            m.stuckLowRate = rate / 2
            m.stuckHighRate = rate / 2
            out.append(DevicePreset(
                name: "stuck-\(label)",
                summary: "\(label.replacingOccurrences(of: "pct", with: " %")) of cells stuck, half at g_min, half at g_max",
                source: "parametric (no fit): a fault rate of the sweep", model: m))
        }
        var drift = DeviceModel()
        drift.driftSeconds = 86_400
        drift.driftNuMean = 0.01
        drift.driftNuStd = 0.005
        out.append(DevicePreset(
            name: "drift-1day", summary: "conductance × (t/1 s)^(−ν), t = 1 day, ν ~ N(0.01, 0.005)",
            source: "functional form of aihwkit's PCM drift (Nandakumar et al. 2019); ν illustrative, not a ReRAM fit", model: drift))
        var read = DeviceModel()
        read.readSigma = 0.01
        out.append(DevicePreset(
            name: "read-1pct", summary: "read noise σ = 1 % of g_max, drawn per evaluation",
            source: "aihwkit ReRamWan2022NoiseModel's note: add about 1 % short-term read noise", model: read))
        return out
    }()

    public static func named(_ name: String) -> DevicePreset? { all.first { $0.name == name } }

    /// Parses `PRESET[+PRESET…]`: the presets combined left to right (``DeviceModel/combined(with:)``).
    public static func model(named spec: String) throws -> DeviceModel {
        var model = DeviceModel()
        let parts = spec.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            guard let p = named(part) else {
                throw CrossbarError.invalidField(field: "device", value: spec,
                                                 expected: "PRESET[+PRESET…] with PRESET one of \(all.map(\.name).joined(separator: ", "))")
            }
            model = model.combined(with: p.model)
        }
        return model
    }
}
