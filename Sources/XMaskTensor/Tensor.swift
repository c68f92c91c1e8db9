import Foundation

/// A dense, row-major `Float` tensor (NCHW for images) with value semantics.
///
/// Storage is a Swift `Array`, so copies are cheap (copy-on-write) and a tensor never changes
/// after it is made: every op returns a new tensor. A tensor made inside
/// ``valueAndGradient(at:of:)`` from a tracked input carries a node of that call's tape;
/// all other tensors are constants and ops on them record nothing.
public struct Tensor: @unchecked Sendable {
    /// Extent of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public let scalars: [Float]
    /// The tape node that produced this tensor, or `nil` for a constant.
    let node: TapeNode?

    /// A tensor from its elements and shape.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`, and no extent is negative.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(
            scalars.count == shape.reduce(1, *),
            "Tensor: \(scalars.count) scalars do not fill shape \(shape) (\(shape.reduce(1, *)) expected)")
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    init(shape: [Int], scalars: [Float], node: TapeNode?) {
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// A 1-D tensor from an array.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], scalars: values)
    }

    /// Number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Whether this tensor is recorded on a tape (its gradient can be asked for).
    public var isTracked: Bool { node != nil }

    /// The single element of a tensor with one element.
    public var item: Float {
        precondition(scalars.count == 1, "item: tensor of shape \(shape) has \(scalars.count) elements, 1 expected")
        return scalars[0]
    }

    /// This tensor without its tape node: gradients do not flow through the result.
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    /// Normalises a possibly negative axis for rank `rank`, naming `op` when it is out of range.
    static func normalizedAxis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < Swift.max(rank, 1), "\(op): axis \(axis) out of range for rank \(rank)")
        return a
    }
}

// MARK: - Creation

extension Tensor {
    /// A tensor of `shape` whose every element is `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// Elements drawn uniformly from `[low, high)`.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout some RandomNumberGenerator
    ) -> Tensor {
        precondition(low <= high, "uniform: low \(low) > high \(high)")
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = low + (high - low) * rng.nextUnitFloat() }
        return Tensor(shape: shape, scalars: out)
    }

    /// Elements drawn from a normal distribution (Box–Muller).
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
        using rng: inout some RandomNumberGenerator
    ) -> Tensor {
        precondition(standardDeviation >= 0, "normal: negative standard deviation \(standardDeviation)")
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let u1 = Swift.max(rng.nextUnitDouble(), 1e-300)
            let u2 = rng.nextUnitDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            out[i] = mean + standardDeviation * Float(r * Foundation.cos(2 * Double.pi * u2))
            if i + 1 < n { out[i + 1] = mean + standardDeviation * Float(r * Foundation.sin(2 * Double.pi * u2)) }
            i += 2
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Elements drawn from the standard Gumbel(0, 1) distribution: `−log(−log u)`, u ~ U(0, 1).
    public static func gumbel(_ shape: [Int], using rng: inout some RandomNumberGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let u = Swift.min(Swift.max(rng.nextUnitDouble(), 1e-12), 1 - 1e-12)
            out[i] = Float(-Foundation.log(-Foundation.log(u)))
        }
        return Tensor(shape: shape, scalars: out)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(scalars.count > 8 ? ", …" : "")])"
    }
}

extension Tensor: Equatable {
    /// Same shape and bit-identical elements (the tape node is not compared).
    public static func == (a: Tensor, b: Tensor) -> Bool { a.shape == b.shape && a.scalars == b.scalars }
}
