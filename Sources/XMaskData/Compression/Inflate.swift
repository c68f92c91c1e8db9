/// A pure-Swift DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Depends on nothing but the standard library (no system zlib). Speed comes from a 64-bit bit
/// buffer refilled eight bytes at a time, 10-bit lookup tables for the common short codes (with
/// a canonical bit-by-bit decode for the longer ones), and 8-byte match copies.
public enum Inflate {
    /// The most bytes one decode may produce unless the caller says otherwise: 512 MiB, ten
    /// times the largest file of the datasets xmask reads (MNIST's 47 MB of training images).
    /// The output buffer never grows past this (plus 274 bytes of copy slack), so a
    /// decompression bomb is refused with at most about twice this much memory in use.
    public static let defaultMaximumOutputBytes = 512 << 20

    /// Decodes a raw DEFLATE stream that fills `input`.
    ///
    /// - Parameters:
    ///   - sizeHint: expected output size, used only to size the output buffer.
    ///   - maximumOutput: refuse (``InflateError/outputLimitExceeded(limit:)``) a stream that
    ///     would decode to more bytes.
    /// - Throws: ``InflateError``.
    public static func decompress(_ input: [UInt8], sizeHint: Int = 0, maximumOutput: Int = defaultMaximumOutputBytes) throws -> [UInt8] {
        try input.withUnsafeBufferPointer { try decompress($0, from: 0, sizeHint: sizeHint, maximumOutput: maximumOutput).output }
    }

    /// Decodes the DEFLATE stream that starts at byte `start` of `input`.
    ///
    /// - Returns: the decoded bytes and the offset of the first byte after the stream (the
    ///   final block's last byte, padding bits included), where a container's trailer starts.
    /// - Throws: ``InflateError``.
    public static func decompress(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, sizeHint: Int = 0, maximumOutput: Int = defaultMaximumOutputBytes
    ) throws -> (output: [UInt8], end: Int) {
        precondition(start >= 0 && start <= input.count, "Inflate: start \(start) outside input of \(input.count) bytes")
        guard let base = input.baseAddress else { throw InflateError.truncated(byteOffset: 0) }
        let limit = max(maximumOutput, 0)
        let workspace = InflateWorkspace()
        let guess = sizeHint > 0 ? sizeHint : max(4 * (input.count - start), 1024)
        let capacity = min(guess, limit) + InflateStream.slack
        var stream = InflateStream(input: base, count: input.count, start: start, capacity: capacity, maximumOutput: limit)
        defer { stream.output.deallocate() }
        try stream.run(workspace)
        // A last match may run up to 258 bytes past the limit before the next check.
        guard stream.outputCount <= limit else { throw InflateError.outputLimitExceeded(limit: limit) }
        let output = Array(UnsafeBufferPointer(start: stream.output, count: stream.outputCount))
        return (output, stream.pos - stream.bitCount / 8)
    }
}

// MARK: - Tables

/// A canonical Huffman code as a lookup table (a non-owning view into ``InflateWorkspace``).
///
/// `fast[bits & mask]` holds `symbol << 4 | length` for codes of at most `fastBits` bits and 0
/// otherwise (a longer code, or no code: the slow path tells which). `counts` and `symbols`
/// (symbols sorted by code length, then value) drive the canonical decode of RFC 1951 §3.2.2.
struct HuffmanTable {
    let fast: UnsafeMutablePointer<UInt16>
    let counts: UnsafeMutablePointer<UInt16>
    let symbols: UnsafeMutablePointer<UInt16>
    let fastBits: Int
    let name: String

    var mask: UInt64 { (1 << UInt64(fastBits)) - 1 }

    /// Outcome of building a table: how many codes are used and how many 15-bit code slots stay
    /// unused (`left == 0`: the code is complete); `nil` when over-subscribed.
    struct Shape { var used: Int; var left: Int }

    /// Builds the table from the code lengths `lengths[0..<count]` (0 = symbol unused).
    func build(_ lengths: UnsafePointer<UInt8>, count: Int) -> Shape? {
        counts.update(repeating: 0, count: 16)
        for i in 0..<count { counts[Int(lengths[i])] += 1 }
        let used = count - Int(counts[0])
        counts[0] = 0
        var left = 1
        for length in 1...15 {
            left = (left << 1) - Int(counts[length])
            if left < 0 { return nil }
        }
        var offsets = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &offsets) { raw in
            let offs = raw.bindMemory(to: Int.self)
            for length in 1..<15 { offs[length + 1] = offs[length] + Int(counts[length]) }
            for symbol in 0..<count where lengths[symbol] != 0 {
                let length = Int(lengths[symbol])
                symbols[offs[length]] = UInt16(symbol)
                offs[length] += 1
            }
        }
        let size = 1 << fastBits
        fast.update(repeating: 0, count: size)
        var code = 0
        var k = 0
        for length in 1...15 {
            for _ in 0..<Int(counts[length]) {
                if length <= fastBits {
                    var reversed = 0
                    var c = code
                    for _ in 0..<length {
                        reversed = (reversed << 1) | (c & 1)
                        c >>= 1
                    }
                    let entry = UInt16(Int(symbols[k]) << 4 | length)
                    var j = reversed
                    while j < size {
                        fast[j] = entry
                        j += 1 << length
                    }
                }
                code += 1
                k += 1
            }
            code <<= 1
        }
        return Shape(used: used, left: left)
    }
}

/// Scratch memory for one decode: the three Huffman tables, the fixed-code tables, the code
/// length buffer and the length/distance base tables of RFC 1951 §3.2.5.
final class InflateWorkspace {
    static let fastBits = 10
    private let memory: UnsafeMutableRawPointer
    private static let tableBytes = (1 << fastBits) * 2 + 16 * 2 + 288 * 2
    private static let byteCount = 5 * tableBytes + 320 + 2 * 64 + 2 * 64

    let literal: HuffmanTable
    let distance: HuffmanTable
    let codeLength: HuffmanTable
    let fixedLiteral: HuffmanTable
    let fixedDistance: HuffmanTable
    var fixedBuilt = false
    /// Code lengths of one dynamic header (at most 286 + 30 = 316, rounded up).
    let lengths: UnsafeMutablePointer<UInt8>
    /// Base value and extra-bit count of length symbols 257…285 and distance symbols 0…29.
    let lengthBase: UnsafeMutablePointer<UInt16>
    let lengthExtra: UnsafeMutablePointer<UInt16>
    let distanceBase: UnsafeMutablePointer<UInt16>
    let distanceExtra: UnsafeMutablePointer<UInt16>

    init() {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Self.byteCount, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: Self.byteCount)
        self.memory = memory
        func table(_ index: Int, fastBits: Int, name: String) -> HuffmanTable {
            let start = memory + index * InflateWorkspace.tableBytes
            return HuffmanTable(
                fast: start.bindMemory(to: UInt16.self, capacity: 1 << InflateWorkspace.fastBits),
                counts: (start + (1 << InflateWorkspace.fastBits) * 2).bindMemory(to: UInt16.self, capacity: 16),
                symbols: (start + (1 << InflateWorkspace.fastBits) * 2 + 32).bindMemory(to: UInt16.self, capacity: 288),
                fastBits: fastBits, name: name)
        }
        literal = table(0, fastBits: Self.fastBits, name: "literal/length")
        distance = table(1, fastBits: Self.fastBits, name: "distance")
        codeLength = table(2, fastBits: 7, name: "code length")
        fixedLiteral = table(3, fastBits: Self.fastBits, name: "literal/length")
        fixedDistance = table(4, fastBits: Self.fastBits, name: "distance")
        let tail = memory + 5 * Self.tableBytes
        lengths = tail.bindMemory(to: UInt8.self, capacity: 320)
        lengthBase = (tail + 320).bindMemory(to: UInt16.self, capacity: 32)
        lengthExtra = (tail + 320 + 64).bindMemory(to: UInt16.self, capacity: 32)
        distanceBase = (tail + 320 + 128).bindMemory(to: UInt16.self, capacity: 32)
        distanceExtra = (tail + 320 + 192).bindMemory(to: UInt16.self, capacity: 32)
        let lb: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let le: [UInt16] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let db: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                            1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        let de: [UInt16] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
                            9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        for i in 0..<29 { lengthBase[i] = lb[i]; lengthExtra[i] = le[i] }
        for i in 0..<30 { distanceBase[i] = db[i]; distanceExtra[i] = de[i] }
    }

    deinit { memory.deallocate() }

    /// Builds the fixed codes of RFC 1951 §3.2.6 once per decode. The fixed distance code gets
    /// all 32 five-bit codes so it is complete; symbols 30 and 31 are rejected when decoded.
    func buildFixed() {
        guard !fixedBuilt else { return }
        for i in 0..<144 { lengths[i] = 8 }
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        for i in 280..<288 { lengths[i] = 8 }
        _ = fixedLiteral.build(lengths, count: 288)
        for i in 0..<32 { lengths[i] = 5 }
        _ = fixedDistance.build(lengths, count: 32)
        fixedBuilt = true
    }
}

// MARK: - Decoder

/// The state of one DEFLATE decode: input cursor, bit buffer and output buffer.
///
/// Bits are consumed from the low end of `bitBuffer`; `bitCount` of them are valid. Past the
/// end of the input the buffer is filled with zero bytes and `pos` keeps counting, so a
/// truncated stream is caught by comparing the bits consumed with the bits available.
struct InflateStream {
    /// Spare output bytes past `outputCount + 258`, so 8-byte match copies may overshoot.
    static let slack = 258 + 16

    let input: UnsafePointer<UInt8>
    let inputCount: Int
    var pos: Int
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: UnsafeMutablePointer<UInt8>
    var outputCapacity: Int
    var outputCount = 0
    /// The most bytes the stream may decode to.
    let maximumOutput: Int

    init(input: UnsafePointer<UInt8>, count: Int, start: Int, capacity: Int, maximumOutput: Int) {
        self.input = input
        self.inputCount = count
        self.pos = start
        self.output = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        self.outputCapacity = capacity
        self.maximumOutput = maximumOutput
    }

    /// Offset of the first input byte not yet (fully) consumed, for error messages.
    var byteOffset: Int { min((pos * 8 - bitCount) / 8, inputCount) }

    /// Whether more bits were consumed than the input holds.
    @inline(__always) var overrun: Bool { pos > inputCount && (pos - inputCount) * 8 > bitCount }

    /// Tops the bit buffer up to at least 56 valid bits.
    @inline(__always) mutating func refill() {
        if pos &+ 8 <= inputCount {
            let word = UInt64(littleEndian: UnsafeRawPointer(input + pos).loadUnaligned(as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            pos &+= (63 &- bitCount) >> 3
            bitCount |= 56
        } else {
            refillNearEnd()
        }
    }

    mutating func refillNearEnd() {
        while bitCount <= 56 {
            let byte: UInt64 = pos < inputCount ? UInt64(input[pos]) : 0
            bitBuffer |= byte << UInt64(bitCount)
            pos += 1
            bitCount += 8
        }
    }

    @inline(__always) mutating func consume(_ n: Int) {
        bitBuffer >>= UInt64(n)
        bitCount &-= n
    }

    /// The next `n` bits (n ≤ 32) as an integer, least significant first. Needs `n` valid bits.
    @inline(__always) mutating func take(_ n: Int) -> Int {
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) &- 1))
        consume(n)
        return value
    }

    /// Decodes one symbol of `table`. Needs at least 15 valid bits.
    @inline(__always) mutating func decode(_ table: HuffmanTable) throws -> Int {
        let entry = Int(table.fast[Int(truncatingIfNeeded: bitBuffer & table.mask)])
        if entry != 0 {
            consume(entry & 15)
            return entry >> 4
        }
        return try decodeSlow(table)
    }

    /// Canonical decode one bit at a time (RFC 1951 §3.2.2), for codes longer than the table.
    mutating func decodeSlow(_ table: HuffmanTable) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1...15 {
            code |= Int(truncatingIfNeeded: (bitBuffer >> UInt64(length - 1)) & 1)
            let count = Int(table.counts[length])
            if code - count < first {
                consume(length)
                return Int(table.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw InflateError.invalidCode(byteOffset: byteOffset, table: table.name)
    }

    /// Makes room for `extra` more bytes plus the copy slack; refuses to grow past the limit.
    @inline(__always) mutating func reserve(_ extra: Int) throws {
        if outputCount + extra + Self.slack > outputCapacity { try grow(outputCount + extra + Self.slack) }
    }

    mutating func grow(_ needed: Int) throws {
        // `needed` is the bytes decoded so far plus those about to be, plus the slack.
        guard needed <= maximumOutput + Self.slack else {
            throw InflateError.outputLimitExceeded(limit: maximumOutput)
        }
        let capacity = min(max(needed, outputCapacity * 2), maximumOutput + Self.slack)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: output, count: outputCount)
        output.deallocate()
        output = bigger
        outputCapacity = capacity
    }

    /// Decodes blocks until the final one; leaves the cursor at the next byte boundary.
    mutating func run(_ work: InflateWorkspace) throws {
        var final = false
        while !final {
            refill()
            if overrun { throw InflateError.truncated(byteOffset: inputCount) }
            let headerOffset = byteOffset
            final = take(1) == 1
            switch take(2) {
            case 0: try storedBlock()
            case 1:
                work.buildFixed()
                try huffmanBlock(work.fixedLiteral, work.fixedDistance, work)
            case 2:
                try dynamicHeader(work)
                try huffmanBlock(work.literal, work.distance, work)
            default: throw InflateError.invalidBlockType(byteOffset: headerOffset)
            }
        }
        consume(bitCount & 7)
        if overrun { throw InflateError.truncated(byteOffset: inputCount) }
    }

    mutating func storedBlock() throws {
        consume(bitCount & 7)
        if overrun { throw InflateError.truncated(byteOffset: inputCount) }
        var p = pos - bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard p + 4 <= inputCount else { throw InflateError.truncated(byteOffset: inputCount) }
        let length = Int(input[p]) | Int(input[p + 1]) << 8
        let complement = Int(input[p + 2]) | Int(input[p + 3]) << 8
        guard length == ~complement & 0xFFFF else {
            throw InflateError.storedLengthMismatch(byteOffset: p, length: length, complement: complement)
        }
        p += 4
        guard p + length <= inputCount else { throw InflateError.truncated(byteOffset: inputCount) }
        try reserve(length)
        (output + outputCount).update(from: input + p, count: length)
        outputCount += length
        pos = p + length
    }

    /// Reads a dynamic block's code-length code and the literal/length and distance code
    /// lengths (RFC 1951 §3.2.7) into the workspace tables, rejecting unusable codes as zlib does:
    /// the code-length code must be complete; the other two may be incomplete only when they
    /// hold a single one-bit code.
    mutating func dynamicHeader(_ work: InflateWorkspace) throws {
        let at = byteOffset
        let literalCount = take(5) + 257
        let distanceCount = take(5) + 1
        let codeLengthCount = take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw InflateError.invalidCodeLengths(
                byteOffset: at, reason: "\(literalCount) literal/length codes (at most 286) and \(distanceCount) distance codes (at most 30)")
        }
        let order = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
        let lengths = work.lengths
        lengths.update(repeating: 0, count: 19)
        withUnsafeBytes(of: order) { raw in
            let order = raw.bindMemory(to: Int.self)
            for i in 0..<codeLengthCount {
                if bitCount < 3 { refill() }
                lengths[order[i]] = UInt8(take(3))
            }
        }
        guard let shape = work.codeLength.build(lengths, count: 19), shape.left == 0 else {
            throw InflateError.invalidCodeLengths(byteOffset: at, reason: "the code-length code is not a complete prefix code")
        }
        let total = literalCount + distanceCount
        var index = 0
        while index < total {
            refill()
            if overrun { throw InflateError.truncated(byteOffset: inputCount) }
            let symbol = try decode(work.codeLength)
            if symbol < 16 {
                lengths[index] = UInt8(symbol)
                index += 1
                continue
            }
            var value: UInt8 = 0
            let repeats: Int
            switch symbol {
            case 16:
                guard index > 0 else {
                    throw InflateError.invalidCodeLengths(byteOffset: byteOffset, reason: "repeat code 16 with no previous length")
                }
                value = lengths[index - 1]
                repeats = 3 + take(2)
            case 17: repeats = 3 + take(3)
            default: repeats = 11 + take(7)
            }
            guard index + repeats <= total else {
                throw InflateError.invalidCodeLengths(
                    byteOffset: byteOffset, reason: "code lengths repeat past the \(total) declared codes")
            }
            (lengths + index).update(repeating: value, count: repeats)
            index += repeats
        }
        if overrun { throw InflateError.truncated(byteOffset: inputCount) }
        guard lengths[256] != 0 else {
            throw InflateError.invalidCodeLengths(byteOffset: at, reason: "no code for end-of-block (symbol 256)")
        }
        for (table, start, count) in [(work.literal, 0, literalCount), (work.distance, literalCount, distanceCount)] {
            guard let shape = table.build(lengths + start, count: count) else {
                throw InflateError.invalidCodeLengths(byteOffset: at, reason: "the \(table.name) code is over-subscribed")
            }
            if shape.left > 0 && shape.used != Int(table.counts[1]) {
                throw InflateError.invalidCodeLengths(byteOffset: at, reason: "the \(table.name) code is incomplete")
            }
        }
    }

    /// Decodes literal/length and distance symbols until end-of-block (RFC 1951 §3.2.5).
    mutating func huffmanBlock(_ literal: HuffmanTable, _ distance: HuffmanTable, _ work: InflateWorkspace) throws {
        let lengthBase = work.lengthBase, lengthExtra = work.lengthExtra
        let distanceBase = work.distanceBase, distanceExtra = work.distanceExtra
        while true {
            // 56 bits cover the longest symbol: 15 + 5 length bits, 15 + 13 distance bits.
            refill()
            if overrun { throw InflateError.truncated(byteOffset: inputCount) }
            try reserve(0)
            var symbol = try decode(literal)
            if symbol < 256 {
                output[outputCount] = UInt8(truncatingIfNeeded: symbol)
                outputCount &+= 1
                // A second literal often fits in what is left of the buffer.
                if bitCount >= 15 {
                    let entry = Int(literal.fast[Int(truncatingIfNeeded: bitBuffer & literal.mask)])
                    if entry != 0 && entry >> 4 < 256 {
                        consume(entry & 15)
                        output[outputCount] = UInt8(truncatingIfNeeded: entry >> 4)
                        outputCount &+= 1
                    }
                }
                continue
            }
            if symbol == 256 { return }
            symbol -= 257
            guard symbol < 29 else {
                throw InflateError.invalidSymbol(byteOffset: byteOffset, symbol: symbol + 257, table: literal.name)
            }
            let length = Int(lengthBase[symbol]) + take(Int(lengthExtra[symbol]))
            let d = try decode(distance)
            guard d < 30 else { throw InflateError.invalidSymbol(byteOffset: byteOffset, symbol: d, table: distance.name) }
            let dist = Int(distanceBase[d]) + take(Int(distanceExtra[d]))
            guard dist <= outputCount else {
                throw InflateError.distanceTooFar(byteOffset: byteOffset, distance: dist, available: outputCount)
            }
            copyMatch(length: length, distance: dist)
        }
    }

    /// Appends `length` bytes copied from `distance` bytes back (the ranges may overlap).
    @inline(__always) mutating func copyMatch(length: Int, distance: Int) {
        let dst = output + outputCount
        let src = dst - distance
        if distance >= 8 {
            // Each 8-byte chunk reads bytes already written; the last one may overshoot into slack.
            var n = 0
            while n < length {
                let word = UnsafeRawPointer(src + n).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(dst + n).storeBytes(of: word, as: UInt64.self)
                n &+= 8
            }
        } else if distance == 1 {
            dst.update(repeating: src.pointee, count: length)
        } else {
            for i in 0..<length { dst[i] = src[i] }
        }
        outputCount &+= length
    }
}
