import Foundation

/// A decoded PNG image: 8-bit samples, `channels` per pixel, rows top to bottom ([H, W, C]).
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grey, grey + alpha with the alpha dropped) or 3 (RGB, RGBA with the alpha dropped,
    /// palette).
    public let channels: Int
    /// `height × width × channels` bytes, interleaved.
    public let pixels: [UInt8]
}

/// PNG decoding (W3C/ISO 15948) on xmask's own DEFLATE decoder (``Inflate``), no system
/// library: chunks with their CRC-32 checked, the zlib wrapper (RFC 1950) with its Adler-32,
/// and the five row filters (None, Sub, Up, Average, Paeth; §9.2).
///
/// Reads non-interlaced images of colour type 0 (grey, 1/2/4/8 bits, scaled to 0…255), 2 (RGB,
/// 8 bits), 3 (palette, 1/2/4/8 bits, expanded to RGB), 4 (grey + alpha, 8 bits) and 6 (RGBA, 8
/// bits). Alpha is dropped, as PIL's `convert("RGB")`/`convert("L")` do for torchvision's
/// `ImageFolder`; `tRNS` and ancillary chunks are ignored. 16-bit samples and Adam7 interlacing
/// throw ``PNGError/unsupported(file:feature:)``.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes the file at `url`.
    ///
    /// - Throws: ``FileReadError``, ``PNGError``.
    public static func read(at url: URL) throws -> PNGImage {
        try decode(try FileBytes.read(url), file: url.path)
    }

    /// Whether `bytes` start with the PNG signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && Array(bytes[0..<8]) == signature
    }

    /// Decodes the bytes of a PNG file; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> PNGImage {
        guard hasSignature(bytes) else { throw PNGError.notPNG(file: file) }
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var header: (width: Int, height: Int, depth: Int, colour: Int)?
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        var pos = 8
        var sawEnd = false
        while !sawEnd {
            guard pos + 12 <= bytes.count else { throw PNGError.truncated(file: file, byteOffset: bytes.count) }
            let length = u32(pos)
            let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= 0x7FFF_FFFF, pos + 12 + length <= bytes.count else {
                throw PNGError.truncated(file: file, byteOffset: bytes.count)
            }
            let data = Array(bytes[(pos + 8)..<(pos + 8 + length)])
            var crc = CRC32()
            crc.update(typeBytes)
            crc.update(data)
            guard crc.value == UInt32(u32(pos + 8 + length)) else { throw PNGError.badCRC(file: file, chunk: type) }
            if header == nil && type != "IHDR" {
                throw PNGError.malformed(file: file, field: "first chunk", expected: "IHDR", found: type)
            }
            switch type {
            case "IHDR":
                guard header == nil, length == 13 else {
                    throw PNGError.malformed(file: file, field: "IHDR", expected: "one 13-byte chunk", found: "\(length) bytes")
                }
                let width = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
                let height = Int(data[4]) << 24 | Int(data[5]) << 16 | Int(data[6]) << 8 | Int(data[7])
                let (depth, colour) = (Int(data[8]), Int(data[9]))
                guard width > 0, height > 0, width <= 1 << 16, height <= 1 << 16 else {
                    throw PNGError.malformed(file: file, field: "IHDR size", expected: "1…65536 × 1…65536", found: "\(width)×\(height)")
                }
                let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard let depths = allowed[colour], depths.contains(depth) else {
                    throw PNGError.malformed(file: file, field: "IHDR colour type/bit depth",
                                             expected: "a combination of ISO 15948 Table 11.1", found: "\(colour)/\(depth)")
                }
                guard data[10] == 0, data[11] == 0 else {
                    throw PNGError.malformed(file: file, field: "IHDR compression/filter method", expected: "0/0",
                                             found: "\(data[10])/\(data[11])")
                }
                if depth == 16 { throw PNGError.unsupported(file: file, feature: "16-bit samples") }
                switch data[12] {
                case 0: break
                case 1: throw PNGError.unsupported(file: file, feature: "Adam7 interlacing")
                default: throw PNGError.malformed(file: file, field: "IHDR interlace method", expected: "0 or 1", found: "\(data[12])")
                }
                header = (width, height, depth, colour)
            case "PLTE":
                guard length % 3 == 0, (3...768).contains(length) else {
                    throw PNGError.malformed(file: file, field: "PLTE length", expected: "3…768, a multiple of 3", found: "\(length)")
                }
                palette = data
            case "IDAT":
                compressed += data
            case "IEND":
                sawEnd = true
            default:
                // Ancillary chunks (lower-case first letter) may be skipped; a critical one may not.
                if typeBytes[0] & 0x20 == 0 { throw PNGError.unsupported(file: file, feature: "critical chunk \(type)") }
            }
            pos += 12 + length
        }
        guard let h = header else { throw PNGError.malformed(file: file, field: "first chunk", expected: "IHDR", found: "none") }
        if h.colour == 3 && palette.isEmpty {
            throw PNGError.malformed(file: file, field: "PLTE", expected: "a palette for colour type 3", found: "none")
        }
        let samplesPerPixel = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][h.colour]!
        let bitsPerPixel = samplesPerPixel * h.depth
        let rowBytes = (h.width * bitsPerPixel + 7) / 8
        let raw = try inflateZlib(compressed, expected: h.height * (rowBytes + 1), file: file)
        let rows = try unfilter(raw, height: h.height, rowBytes: rowBytes, bytesPerPixel: max(1, bitsPerPixel / 8), file: file)
        return try expand(rows, header: h, rowBytes: rowBytes, samplesPerPixel: samplesPerPixel, palette: palette, file: file)
    }

    /// The zlib stream (RFC 1950): CMF/FLG header, raw DEFLATE, big-endian Adler-32.
    static func inflateZlib(_ bytes: [UInt8], expected: Int, file: String) throws -> [UInt8] {
        guard bytes.count >= 6 else {
            throw PNGError.malformed(file: file, field: "IDAT data", expected: "a zlib stream of at least 6 bytes", found: "\(bytes.count) bytes")
        }
        let cmf = Int(bytes[0]), flg = Int(bytes[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else {
            throw PNGError.malformed(file: file, field: "zlib header", expected: "DEFLATE, window ≤ 32 KiB, check bits valid, no preset dictionary",
                                     found: String(format: "%02X %02X", cmf, flg))
        }
        let (output, end): ([UInt8], Int)
        do {
            (output, end) = try bytes.withUnsafeBufferPointer { try Inflate.decompress($0, from: 2, sizeHint: expected) }
        } catch let error as InflateError {
            throw PNGError.inflate(file: file, reason: error.description)
        }
        guard end + 4 <= bytes.count else { throw PNGError.inflate(file: file, reason: "the Adler-32 trailer is missing") }
        let stored = UInt32(bytes[end]) << 24 | UInt32(bytes[end + 1]) << 16 | UInt32(bytes[end + 2]) << 8 | UInt32(bytes[end + 3])
        guard adler32(output) == stored else { throw PNGError.inflate(file: file, reason: "Adler-32 mismatch") }
        guard output.count == expected else {
            throw PNGError.malformed(file: file, field: "image data size", expected: "\(expected) bytes (filter byte + row, per row)",
                                     found: "\(output.count) bytes")
        }
        return output
    }

    /// Adler-32 (RFC 1950 §8.2) of `bytes`.
    public static func adler32Value(_ bytes: [UInt8]) -> UInt32 { adler32(bytes) }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 5552)  // the largest run before b can overflow 32 bits
            while i < end { a += UInt32(bytes[i]); b += a; i += 1 }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// Undoes the per-row filters (§9.2): `raw` holds `height` rows of a filter byte then
    /// `rowBytes` bytes; `bytesPerPixel` is the byte distance to the pixel on the left (1 for
    /// sub-byte depths).
    static func unfilter(_ raw: [UInt8], height: Int, rowBytes: Int, bytesPerPixel bpp: Int, file: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * rowBytes)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let src = y * (rowBytes + 1) + 1, dst = y * rowBytes, above = dst - rowBytes
            for x in 0..<rowBytes {
                let a = x >= bpp ? Int(out[dst + x - bpp]) : 0
                let b = y > 0 ? Int(out[above + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(out[above + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default:
                    throw PNGError.malformed(file: file, field: "filter type of row \(y)", expected: "0…4", found: "\(filter)")
                }
                out[dst + x] = UInt8(truncatingIfNeeded: Int(raw[src + x]) + predictor)
            }
        }
        return out
    }

    /// Unfiltered rows → 8-bit interleaved grey or RGB (sub-byte samples unpacked and scaled,
    /// palette indices looked up, alpha dropped).
    static func expand(
        _ rows: [UInt8], header h: (width: Int, height: Int, depth: Int, colour: Int), rowBytes: Int, samplesPerPixel: Int,
        palette: [UInt8], file: String
    ) throws -> PNGImage {
        let outChannels = (h.colour == 0 || h.colour == 4) ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: h.width * h.height * outChannels)
        let scale = h.depth < 8 ? 255 / ((1 << h.depth) - 1) : 1
        let paletteCount = palette.count / 3
        for y in 0..<h.height {
            let row = y * rowBytes
            for x in 0..<h.width {
                let o = (y * h.width + x) * outChannels
                switch h.colour {
                case 0, 3:
                    let sample: Int
                    if h.depth == 8 {
                        sample = Int(rows[row + x])
                    } else {
                        let bit = x * h.depth
                        sample = (Int(rows[row + bit / 8]) >> (8 - h.depth - bit % 8)) & ((1 << h.depth) - 1)
                    }
                    if h.colour == 0 {
                        pixels[o] = UInt8(sample * scale)
                    } else {
                        guard sample < paletteCount else {
                            throw PNGError.malformed(file: file, field: "palette index at (\(x), \(y))",
                                                     expected: "below the \(paletteCount) PLTE entries", found: "\(sample)")
                        }
                        for k in 0..<3 { pixels[o + k] = palette[3 * sample + k] }
                    }
                default:  // 8-bit grey+alpha, RGB, RGBA: keep the first 1 or 3 samples
                    let s = row + x * samplesPerPixel
                    for k in 0..<outChannels { pixels[o + k] = rows[s + k] }
                }
            }
        }
        return PNGImage(width: h.width, height: h.height, channels: outChannels, pixels: pixels)
    }
}
