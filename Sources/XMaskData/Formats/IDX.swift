import Foundation

/// u8 images read from an IDX file: `count` images of `height × width`, row-major.
public struct IDXImages: Sendable, Equatable {
    public let count: Int
    public let height: Int
    public let width: Int
    public let pixels: [UInt8]

    /// - Precondition: `pixels.count == count · height · width`.
    public init(count: Int, height: Int, width: Int, pixels: [UInt8]) {
        precondition(pixels.count == count * height * width, "IDXImages: \(pixels.count) pixels for \(count)×\(height)×\(width)")
        self.count = count
        self.height = height
        self.width = width
        self.pixels = pixels
    }
}

/// The IDX format of the MNIST family (LeCun et al.): a big-endian u32 magic `0x0000TTDD`
/// (TT = 0x08 for u8 data, DD = number of dimensions), DD big-endian u32 dimensions, then the
/// data in row-major order. Files may be gzip-compressed; the reader tells by the magic bytes.
public enum IDX {
    /// Magic of u8 images [N, H, W].
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic of u8 labels [N].
    public static let labelsMagic: UInt32 = 0x0000_0801
    /// The largest image height or width accepted (ImageNet-scale inputs are 224).
    public static let maximumImageSide = 4096

    /// Reads an images file (gzip or raw).
    ///
    /// - Throws: ``FileReadError``, ``GzipError``, ``IDXError``.
    public static func readImages(at url: URL) throws -> IDXImages {
        try parseImages(try FileBytes.readDecompressing(url), file: url.path)
    }

    /// Reads a labels file (gzip or raw) and checks every label is below `classCount`.
    ///
    /// - Throws: ``FileReadError``, ``GzipError``, ``IDXError``.
    public static func readLabels(at url: URL, classCount: Int) throws -> [Int] {
        try parseLabels(try FileBytes.readDecompressing(url), file: url.path, classCount: classCount)
    }

    /// Parses the (decompressed) bytes of an images file; `file` names it in errors.
    public static func parseImages(_ bytes: [UInt8], file: String) throws -> IDXImages {
        let dims = try header(bytes, magic: imagesMagic, rank: 3, file: file)
        guard dims[0] >= 1, (1...maximumImageSide).contains(dims[1]), (1...maximumImageSide).contains(dims[2]) else {
            throw IDXError.dimensionOutOfRange(file: file, dimensions: dims,
                                               expected: "at least one image of 1...\(maximumImageSide) × 1...\(maximumImageSide) pixels")
        }
        return IDXImages(count: dims[0], height: dims[1], width: dims[2], pixels: Array(bytes[16...]))
    }

    /// Parses the (decompressed) bytes of a labels file; `file` names it in errors.
    public static func parseLabels(_ bytes: [UInt8], file: String, classCount: Int) throws -> [Int] {
        let dims = try header(bytes, magic: labelsMagic, rank: 1, file: file)
        guard dims[0] >= 1 else { throw IDXError.dimensionOutOfRange(file: file, dimensions: dims, expected: "at least one label") }
        var labels = [Int](repeating: 0, count: bytes.count - 8)
        for i in 0..<labels.count {
            let label = Int(bytes[8 + i])
            guard label < classCount else {
                throw IDXError.labelOutOfRange(file: file, index: i, label: label, classCount: classCount)
            }
            labels[i] = label
        }
        return labels
    }

    /// Checks magic and sizes; returns the dimensions.
    private static func header(_ bytes: [UInt8], magic: UInt32, rank: Int, file: String) throws -> [Int] {
        func u32(_ i: Int) -> UInt32 {
            UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }
        guard bytes.count >= 4 else { throw IDXError.truncatedHeader(file: file, expectedBytes: 4 + 4 * rank, foundBytes: bytes.count) }
        let found = u32(0)
        guard found == magic else { throw IDXError.wrongMagic(file: file, expected: magic, found: found) }
        let headerBytes = 4 + 4 * rank
        guard bytes.count >= headerBytes else {
            throw IDXError.truncatedHeader(file: file, expectedBytes: headerBytes, foundBytes: bytes.count)
        }
        let dims = (0..<rank).map { Int(u32(4 + 4 * $0)) }
        let (expected, overflow) = dims.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let body = bytes.count - headerBytes
        if overflow || body < expected {
            throw IDXError.truncatedBody(file: file, dimensions: dims, expectedBytes: overflow ? Int.max : expected, foundBytes: body)
        }
        if body > expected {
            throw IDXError.trailingBytes(file: file, dimensions: dims, expectedBytes: expected, foundBytes: body)
        }
        return dims
    }
}
