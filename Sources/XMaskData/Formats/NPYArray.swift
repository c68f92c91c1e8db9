/// An n-dimensional array as NumPy stores it in `.npy` files, in C (row-major) order.
public struct NPYArray: Sendable, Equatable {
    /// The elements with their dtype.
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case uint8([UInt8])
        case int64([Int64])

        var count: Int {
            switch self {
            case .float32(let v): return v.count
            case .float64(let v): return v.count
            case .uint8(let v): return v.count
            case .int64(let v): return v.count
            }
        }
    }

    public let shape: [Int]
    public let elements: Elements

    /// - Precondition: the number of elements equals the product of `shape`.
    public init(shape: [Int], elements: Elements) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == elements.count,
                     "NPYArray: \(elements.count) elements do not fill shape \(shape)")
        self.shape = shape
        self.elements = elements
    }

    public var count: Int { elements.count }

    /// NumPy's little-endian type string: `<f4`, `<f8`, `|u1` or `<i8`.
    public var descr: String {
        switch elements {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .uint8: return "|u1"
        case .int64: return "<i8"
        }
    }

    /// The elements converted to `Float`.
    public var floats: [Float] {
        switch elements {
        case .float32(let v): return v
        case .float64(let v): return v.map { Float($0) }
        case .uint8(let v): return v.map { Float($0) }
        case .int64(let v): return v.map { Float($0) }
        }
    }

    /// The elements as integers, or `nil` for a float array.
    public var integers: [Int]? {
        switch elements {
        case .uint8(let v): return v.map { Int($0) }
        case .int64(let v): return v.map { Int($0) }
        case .float32, .float64: return nil
        }
    }
}
