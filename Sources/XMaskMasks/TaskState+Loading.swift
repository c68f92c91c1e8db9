import Foundation
import XMaskCrossbar
import XMaskNN
import XMaskTensor

extension TaskState {
    /// Reads a task written by ``safetensors()`` for `model`'s architecture. Every tensor is
    /// checked against the model (names, shapes, packed sizes); errors name the file and key.
    public init(file: Safetensors, model: any ImageClassifier, geometry: CrossbarGeometry) throws {
        let path = file.file
        guard file.metadata["format"] == "xmask-task" else {
            throw TaskStateError.corrupt(key: "__metadata__.format", file: path,
                                         reason: "is \(file.metadata["format"] ?? "absent"), expected \"xmask-task\"")
        }
        guard let configText = file.metadata["config"],
              let config = try? JSONDecoder().decode(MaskConfig.self, from: Data(configText.utf8)) else {
            throw TaskStateError.corrupt(key: "__metadata__.config", file: path, reason: "missing or not a mask configuration")
        }
        guard let classesText = file.metadata["numClasses"], let numClasses = Int(classesText), numClasses > 1 else {
            throw TaskStateError.corrupt(key: "__metadata__.numClasses", file: path, reason: "missing or not a class count > 1")
        }
        func tensor(_ key: String, _ shape: [Int]? = nil) throws -> Tensor {
            guard file.entries[key] != nil else { throw TaskStateError.missing(key: key, file: path) }
            let t = try file.tensor(key)
            if let shape, t.shape != shape {
                throw TaskStateError.shapeMismatch(key: key, expected: shape, found: t.shape, file: path)
            }
            return t
        }
        func bits(_ key: String, count: Int, bitsPerValue: Int) throws -> [Int] {
            guard let entry = file.entries[key] else { throw TaskStateError.missing(key: key, file: path) }
            guard entry.dtype == .uint8, let values = BitPacking.unpack(entry.bytes, count: count, bits: bitsPerValue),
                  entry.bytes.count == BitPacking.byteCount(values: count, bits: bitsPerValue) else {
                throw TaskStateError.corrupt(key: key, file: path,
                                             reason: "expected \(BitPacking.byteCount(values: count, bits: bitsPerValue)) packed U8 bytes for \(count) values of \(bitsPerValue) bits")
            }
            return values
        }
        func levels(_ key: String, count: Int, shift: ShiftLevels) throws -> [Float] {
            let all = shift.all
            return try bits(key, count: count, bitsPerValue: max(shift.bitsPerValue, 1)).map { i in
                guard i < all.count else {
                    throw TaskStateError.corrupt(key: key, file: path, reason: "level index \(i) outside 0..<\(all.count)")
                }
                return all[i]
            }
        }

        var head: [String: Tensor] = [:]
        for key in file.keys where key.hasPrefix("fc.") { head[key] = try tensor(key) }
        guard let w = head["fc.weight"] else { throw TaskStateError.missing(key: "fc.weight", file: path) }
        guard w.shape == [numClasses, model.head.inFeatures] else {
            throw TaskStateError.shapeMismatch(key: "fc.weight", expected: [numClasses, model.head.inFeatures], found: w.shape, file: path)
        }
        var norms: [String: Tensor] = [:]
        for entry in model.namedLayers() where entry.layer is BatchNorm2d {
            for (k, p) in entry.layer.namedParameters() {
                let key = entry.key + "." + k
                norms[key] = try tensor(key, p.value.shape)
            }
        }
        let shift = ShiftLevels(count: config.shiftLevels)
        var deployed: [DeployedLayer] = []
        for (key, conv) in model.convolutions {
            let layout = ColumnLayout(weightShape: conv.weight.value.shape, geometry: geometry)
            let weightCount = layout.weightShape.reduce(1, *)
            let mask: DeployedMask
            switch config.method {
            case .fineTune:
                mask = .weights(try tensor(key + ".weight", layout.weightShape))
            case .piggyback:
                mask = .weightBits(try bits(key + ".mask_bits", count: weightCount, bitsPerValue: 1).map(UInt8.init))
            case .ksm:
                let values = try tensor(key + ".kernel_values", [layout.outChannels, layout.inChannels])
                let binary = try bits(key + ".kernel_bits", count: values.count, bitsPerValue: 1).map(UInt8.init)
                mask = .kernelValues(values, binary: binary)
            case .xbm, .xma:
                mask = .columnLevels(try levels(key + ".column_levels", count: layout.columns, shift: shift), levels: shift)
            case .xma2:
                let pes = try bits(key + ".pe_bits", count: layout.peCount, bitsPerValue: 1).map(UInt8.init)
                let columnLevels = try levels(key + ".column_levels", count: layout.columns, shift: shift)
                let peOfWeight = layout.peOfWeights()
                let replacedCount = peOfWeight.filter { pes[$0] == 1 }.count
                let kept = try tensor(key + ".pe_weights", [replacedCount])
                var full = [Float](repeating: 0, count: weightCount)
                var next = 0
                for (i, pe) in peOfWeight.enumerated() where pes[pe] == 1 {
                    full[i] = kept.scalars[next]
                    next += 1
                }
                mask = .replacedPEs(pes, newWeights: Tensor(shape: layout.weightShape, scalars: full),
                                    columnLevels: columnLevels, levels: shift)
            }
            deployed.append(DeployedLayer(key: key, layout: layout, mask: mask))
        }
        self.init(config: config, numClasses: numClasses, layers: deployed, head: head, batchNorm: norms)
    }
}
