import Foundation

/// How an image array orders its axes.
public enum ImageLayout: String, Sendable {
    /// [N, C, H, W] (PyTorch).
    case nchw
    /// [N, H, W, C] (Keras, TensorFlow Datasets).
    case nhwc
    /// [N, H, W]: one channel.
    case nhw
}

extension Dataset {
    /// A dataset from NumPy arrays: uint8 images stay bytes, float32/float64 images become
    /// `Float`s used as they are; labels must be uint8 or int64 in `0..<classCount`.
    ///
    /// - Parameters:
    ///   - source, imagesKey, labelsKey: how errors name the file and the two arrays (default:
    ///     `name`, `images`, `labels`).
    /// - Throws: ``DatasetError``.
    public init(name: String, images: NPYArray, labels: NPYArray, layout: ImageLayout, classCount: Int,
                source: String? = nil, imagesKey: String = "images", labelsKey: String = "labels") throws {
        let source = source ?? name
        let rank = layout == .nhw ? 3 : 4
        guard images.shape.count == rank else {
            throw DatasetError.invalidArray(source: source, field: imagesKey, expected: "rank \(rank) (\(layout.rawValue))", found: "shape \(images.shape)")
        }
        guard labels.shape.count == 1, labels.shape[0] == images.shape[0] else {
            throw DatasetError.invalidArray(source: source, field: labelsKey, expected: "shape [\(images.shape[0])]", found: "shape \(labels.shape)")
        }
        guard let labelValues = labels.integers else {
            throw DatasetError.invalidArray(source: source, field: labelsKey, expected: "dtype uint8 or int64", found: "dtype \(labels.descr)")
        }
        let s = images.shape
        let (n, c, h, w): (Int, Int, Int, Int)
        switch layout {
        case .nchw: (n, c, h, w) = (s[0], s[1], s[2], s[3])
        case .nhwc: (n, c, h, w) = (s[0], s[3], s[1], s[2])
        case .nhw: (n, c, h, w) = (s[0], 1, s[1], s[2])
        }
        guard c > 0, h > 0, w > 0 else {
            throw DatasetError.invalidArray(source: source, field: imagesKey, expected: "positive channels, height, width", found: "shape \(s)")
        }
        func toNCHW<T>(_ v: [T]) -> [T] {
            guard layout == .nhwc, c > 1 else { return v }
            var out = v
            for i in 0..<n { for y in 0..<h { for x in 0..<w { for k in 0..<c {
                out[((i * c + k) * h + y) * w + x] = v[((i * h + y) * w + x) * c + k]
            } } } }
            return out
        }
        let pixels: Pixels
        switch images.elements {
        case .uint8(let v): pixels = .uint8(toNCHW(v))
        case .float32(let v): pixels = .float(toNCHW(v))
        case .float64(let v): pixels = .float(toNCHW(v.map { Float($0) }))
        case .int64:
            throw DatasetError.invalidArray(source: source, field: imagesKey, expected: "dtype uint8, float32 or float64", found: "dtype <i8")
        }
        try self.init(name: source, pixels: pixels, labels: labelValues, channels: c, height: h, width: w, classCount: classCount)
        self.name = name
    }

    /// Loads a dataset from two arrays of an NPZ archive (e.g. `x_train`, `y_train`).
    ///
    /// - Throws: ``FileReadError``, ``ZipError``, ``NPYError``, ``DatasetError``.
    public static func loadNPZ(
        at url: URL, imagesKey: String, labelsKey: String, layout: ImageLayout, classCount: Int, name: String? = nil
    ) throws -> Dataset {
        let arrays = try NPZ.read(at: url)
        func member(_ key: String) throws -> NPYArray {
            guard let array = arrays[key] else {
                throw DatasetError.invalidArray(
                    source: url.path, field: key, expected: "a member '\(key).npy'", found: "members \(arrays.keys.sorted())")
            }
            return array
        }
        let images = try member(imagesKey), labels = try member(labelsKey)
        return try Dataset(name: name ?? url.deletingPathExtension().lastPathComponent, images: images, labels: labels,
                           layout: layout, classCount: classCount)
    }
}
