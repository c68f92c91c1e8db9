import Foundation

extension NetworkShape {
    /// NeuroSim's network CSV columns, in order.
    public static let csvColumns = ["IFM_H", "IFM_W", "Cin", "Kh", "Kw", "Cout", "maxpool_after", "stride"]

    /// The largest value each CSV column may hold: far beyond any real network (ImageNet inputs
    /// are 224 px, the widest layers 4,096 channels, the largest kernels 11 × 11), small enough
    /// that every count computed from a layer fits in 64 bits and no loop runs for ages.
    public static let csvColumnMaxima: [String: Int] = [
        "IFM_H": 16_384, "IFM_W": 16_384, "Cin": 65_536, "Kh": 64, "Kw": 64, "Cout": 65_536, "maxpool_after": 1, "stride": 64,
    ]
    /// The most layers a network file may list (ResNet-152 has 155 mapped layers).
    public static let csvMaximumLayers = 10_000
    /// The most weights one layer may have (Cin · Kh · Kw · Cout; VGG-16's largest has 2²⁷).
    public static let csvMaximumLayerWeights = 1 << 34
    /// The most multiply-accumulates one layer may need per image (ResNet-50's whole network
    /// needs about 2³²), so energy and cycle counts derived from it cannot overflow.
    public static let csvMaximumLayerMACs = 1 << 44

    /// Reads a network in NeuroSim's CSV format: one conv layer per line,
    /// `IFM_H,IFM_W,Cin,Kh,Kw,Cout,maxpool_after(0/1),stride`, padding "same".
    ///
    /// Blank lines and lines starting with `#` are skipped; a first line starting with a letter
    /// is taken as a header. Every line of the file is a mapped layer (a FC layer is a 1×1 conv
    /// on a 1×1 input, as NeuroSim writes it). Layers are named `layer1`, `layer2`, … by order.
    /// - Parameter file: the name used in error messages (`file:line: …`).
    public static func parseCSV(_ text: String, file: String, name: String? = nil) throws -> NetworkShape {
        var layers: [ConvLayerShape] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if layers.isEmpty, let first = line.unicodeScalars.first, CharacterSetLetters.contains(first) { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == csvColumns.count + 1, fields.last == "" { fields.removeLast() }  // trailing comma
            guard fields.count == csvColumns.count else {
                throw CrossbarError.malformedNetworkLine(
                    file: file, line: lineNumber,
                    message: "expected \(csvColumns.count) comma-separated fields (\(csvColumns.joined(separator: ","))), found \(fields.count)")
            }
            var values: [Int] = []
            for (index, field) in fields.enumerated() {
                let column = csvColumns[index]
                guard let value = Int(field) else {
                    throw CrossbarError.malformedNetworkLine(
                        file: file, line: lineNumber, message: "field \(index + 1) (\(column)) = '\(field)': expected an integer")
                }
                if column == "maxpool_after" {
                    guard value == 0 || value == 1 else {
                        throw CrossbarError.malformedNetworkLine(
                            file: file, line: lineNumber, message: "field \(index + 1) (\(column)) = \(value): expected 0 or 1")
                    }
                } else if value < 1 || value > (csvColumnMaxima[column] ?? Int.max) {
                    throw CrossbarError.malformedNetworkLine(
                        file: file, line: lineNumber,
                        message: "field \(index + 1) (\(column)) = \(value): expected an integer in 1...\(csvColumnMaxima[column] ?? Int.max)")
                }
                values.append(value)
            }
            var weights = 1, overflow = false
            for v in [values[2], values[3], values[4], values[5]] where !overflow { (weights, overflow) = weights.multipliedReportingOverflow(by: v) }
            guard !overflow, weights <= csvMaximumLayerWeights else {
                throw CrossbarError.malformedNetworkLine(
                    file: file, line: lineNumber,
                    message: "Cin × Kh × Kw × Cout = \(overflow ? "more than 2⁶³" : String(weights)) weights: expected at most \(csvMaximumLayerWeights)")
            }
            let outputs = ((values[0] + values[7] - 1) / values[7]) * ((values[1] + values[7] - 1) / values[7])
            let (macs, macOverflow) = outputs.multipliedReportingOverflow(by: weights)
            guard !macOverflow, macs <= csvMaximumLayerMACs else {
                throw CrossbarError.malformedNetworkLine(
                    file: file, line: lineNumber,
                    message: "output pixels × weights = \(macOverflow ? "more than 2⁶³" : String(macs)) multiply-accumulates: expected at most \(csvMaximumLayerMACs)")
            }
            guard layers.count < csvMaximumLayers else {
                throw CrossbarError.malformedNetworkLine(file: file, line: lineNumber, message: "more than \(csvMaximumLayers) layers: expected at most \(csvMaximumLayers)")
            }
            layers.append(ConvLayerShape(
                name: "layer\(layers.count + 1)", inputHeight: values[0], inputWidth: values[1],
                inputChannels: values[2], kernelHeight: values[3], kernelWidth: values[4],
                outputChannels: values[5], stride: values[7], maxPoolAfter: values[6] == 1))
        }
        guard !layers.isEmpty else {
            throw CrossbarError.malformedNetworkLine(file: file, line: 1, message: "no layers: expected at least one line of \(csvColumns.joined(separator: ","))")
        }
        return NetworkShape(name: name ?? file, layers: layers)
    }

    /// The network as NeuroSim CSV text (inverse of ``parseCSV(_:file:name:)`` up to names).
    public func csv() -> String {
        layers.map { l in
            "\(l.inputHeight),\(l.inputWidth),\(l.inputChannels),\(l.kernelHeight),\(l.kernelWidth),\(l.outputChannels),\(l.maxPoolAfter ? 1 : 0),\(l.stride)"
        }.joined(separator: "\n") + "\n"
    }
}

private enum CharacterSetLetters {
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z")
    }
}
