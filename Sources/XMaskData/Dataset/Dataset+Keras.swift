import Foundation

extension Dataset {
    /// Loads one split of a Keras-style `.npz` (`keras.datasets` `mnist.npz`, or
    /// `numpy.savez(f, x_train=…, y_train=…, x_test=…, y_test=…)`): images `x_<split>` as
    /// [N, H, W] or [N, H, W, C] with C = 1 or 3, uint8 (0…255) or float32/float64 on the
    /// [0, 1] scale; labels `y_<split>` as [N] or [N, 1] (CIFAR's), uint8 or int64, in
    /// `0..<classCount`.
    ///
    /// - Throws: ``FileReadError``, ``ZipError``, ``NPYError``, ``DatasetError`` naming the file
    ///   and the array.
    public static func loadKerasNPZ(at url: URL, split: Split, classCount: Int, name: String? = nil) throws -> Dataset {
        let arrays = try NPZ.read(at: url)
        let imagesKey = "x_\(split.rawValue)", labelsKey = "y_\(split.rawValue)"
        func member(_ key: String) throws -> NPYArray {
            guard let array = arrays[key] else {
                throw DatasetError.invalidArray(source: url.path, field: key, expected: "a member '\(key).npy' (Keras layout: x_train, y_train, x_test, y_test)",
                                                found: "members \(arrays.keys.sorted())")
            }
            return array
        }
        let images = try member(imagesKey)
        var labels = try member(labelsKey)
        let layout: ImageLayout
        switch images.shape.count {
        case 3: layout = .nhw
        case 4:
            guard [1, 3].contains(images.shape[3]) else {
                throw DatasetError.invalidArray(source: url.path, field: imagesKey, expected: "[N, H, W, C] with C = 1 or 3 (channels last, as Keras)",
                                                found: "shape \(images.shape)")
            }
            layout = .nhwc
        default:
            throw DatasetError.invalidArray(source: url.path, field: imagesKey, expected: "[N, H, W] or [N, H, W, C]", found: "shape \(images.shape)")
        }
        if labels.shape.count == 2 && labels.shape[1] == 1 {
            labels = NPYArray(shape: [labels.shape[0]], elements: labels.elements)
        }
        switch images.elements {
        case .float32, .float64:
            let values = images.floats
            if let bad = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw DatasetError.invalidArray(source: url.path, field: imagesKey,
                                                expected: "float pixels on the [0, 1] scale (store uint8 0…255, or divide by 255)",
                                                found: "\(values[bad]) at flat index \(bad)")
            }
        case .uint8, .int64: break  // int64 images are refused by Dataset(name:images:…)
        }
        return try Dataset(name: name ?? url.deletingPathExtension().lastPathComponent, images: images, labels: labels,
                           layout: layout, classCount: classCount, source: url.path, imagesKey: imagesKey, labelsKey: labelsKey)
    }
}
