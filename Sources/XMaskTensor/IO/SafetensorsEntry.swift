/// One named entry of a safetensors file, as stored: dtype, shape and little-endian bytes.
///
/// Use ``tensor()`` for a `Float` ``Tensor``; use ``bytes`` directly for data that is not a
/// tensor of numbers (bit-packed masks stored as `U8`).
public struct SafetensorsEntry: Equatable, Sendable {
    public let dtype: SafetensorsDType
    /// Extent of each axis, outermost first (row-major, like PyTorch); `[]` is a scalar.
    public let shape: [Int]
    /// The raw little-endian element bytes; `bytes.count == shape.product × dtype.byteSize`.
    public let bytes: [UInt8]

    /// An entry from raw bytes.
    ///
    /// - Precondition: no extent is negative and `bytes.count` equals the element count times
    ///   `dtype.byteSize`.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsEntry: negative extent in shape \(shape)")
        let expected = shape.reduce(1, *) * dtype.byteSize
        precondition(bytes.count == expected,
                     "SafetensorsEntry: \(bytes.count) bytes for \(dtype.rawValue) × \(shape) (\(expected) expected)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A `F32` entry holding `tensor`'s elements.
    public init(_ tensor: Tensor) {
        var out = [UInt8](repeating: 0, count: tensor.count * 4)
        out.withUnsafeMutableBytes { raw in
            for (i, x) in tensor.scalars.enumerated() {
                raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        self.init(dtype: .float32, shape: tensor.shape, bytes: out)
    }

    /// A `U8` entry (for example a bit-packed mask) of the given shape.
    public init(uint8 values: [UInt8], shape: [Int]) {
        self.init(dtype: .uint8, shape: shape, bytes: values)
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements converted to `Float` (see ``SafetensorsDType``; integers beyond 2²⁴ round).
    public func floats() -> [Float] {
        let n = elementCount
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in dtype.decode(raw, into: UnsafeMutableBufferPointer(rebasing: out[0..<n])) }
            initialized = n
        }
    }

    /// The entry as a `Float` tensor of the same shape.
    public func tensor() -> Tensor {
        Tensor(shape: shape, scalars: floats())
    }
}
