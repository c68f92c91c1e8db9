import Foundation

/// The CIFAR-10 and CIFAR-100 binary versions (Krizhevsky, 2009): fixed-size records of label
/// byte(s) then 3072 pixel bytes, 1024 red, 1024 green, 1024 blue, each a row-major 32×32 plane
/// (so a record's pixels are already a [3, 32, 32] CHW image).
public enum CIFAR {
    /// Which label a record carries.
    public enum Labels: Sendable, Equatable {
        /// CIFAR-10: one label byte, 10 classes.
        case cifar10
        /// CIFAR-100: coarse byte then fine byte; the 20 superclasses.
        case cifar100Coarse
        /// CIFAR-100: coarse byte then fine byte; the 100 classes.
        case cifar100Fine

        public var classCount: Int {
            switch self {
            case .cifar10: return 10
            case .cifar100Coarse: return 20
            case .cifar100Fine: return 100
            }
        }

        /// Label bytes before the pixels of each record.
        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        /// Which label byte holds the label.
        var labelOffset: Int { self == .cifar100Fine ? 1 : 0 }
    }

    public static let height = 32, width = 32, channels = 3
    static let pixelBytes = 3 * 32 * 32

    /// Reads one binary batch file (gzip-compressed files are accepted too).
    ///
    /// - Returns: pixels [N, 3, 32, 32] and labels [N].
    /// - Throws: ``FileReadError``, ``GzipError``, ``CIFARError``.
    public static func read(at url: URL, labels: Labels) throws -> (pixels: [UInt8], labels: [Int]) {
        try parse(try FileBytes.readDecompressing(url), labels: labels, file: url.path)
    }

    /// Parses the bytes of one binary batch file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], labels kind: Labels, file: String) throws -> (pixels: [UInt8], labels: [Int]) {
        let record = kind.labelBytes + pixelBytes
        guard !bytes.isEmpty, bytes.count % record == 0 else {
            throw CIFARError.truncated(file: file, recordBytes: record, fileBytes: bytes.count)
        }
        let n = bytes.count / record
        var pixels = [UInt8](repeating: 0, count: n * pixelBytes)
        var labels = [Int](repeating: 0, count: n)
        try bytes.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for i in 0..<n {
                    let label = Int(s[i * record + kind.labelOffset])
                    guard label < kind.classCount else {
                        throw CIFARError.labelOutOfRange(file: file, record: i, label: label, classCount: kind.classCount)
                    }
                    labels[i] = label
                    (d + i * pixelBytes).update(from: s + i * record + kind.labelBytes, count: pixelBytes)
                }
            }
        }
        return (pixels, labels)
    }
}
