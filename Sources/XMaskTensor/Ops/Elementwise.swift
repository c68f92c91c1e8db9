import Foundation

// Element-wise primitives and their vector-Jacobian products (one place for every rule).

/// Elements per block when an element-wise loop is spread over threads (128 KiB of floats).
let elementwiseBlock = 1 << 15

/// Runs `body(range)` over `0..<n`: in one go, or in blocks of ``elementwiseBlock`` taken by
/// up to `Parallelism.threadCount` threads when there are at least two blocks. Each element is
/// computed the same way either way.
@inline(__always)
func forEachElementBlock(_ n: Int, _ body: (Range<Int>) -> Void) {
    if n < 2 * elementwiseBlock || Parallelism.threadCount <= 1 {
        body(0..<n)
        return
    }
    Parallelism.forEach((n + elementwiseBlock - 1) / elementwiseBlock) { b in
        body(b * elementwiseBlock..<min(n, (b + 1) * elementwiseBlock))
    }
}

@inline(__always)
func binaryForward(_ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float) -> (shape: [Int], scalars: [Float]) {
    if a.shape == b.shape {
        let n = a.count
        let out = [Float](unsafeUninitializedCapacity: n) { buf, count in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    // Blocks write disjoint ranges of the output.
                    nonisolated(unsafe) let (x, y, o) = (pa, pb, buf)
                    forEachElementBlock(n) { r in for i in r { o[i] = f(x[i], y[i]) } }
                }
            }
            count = n
        }
        return (a.shape, out)
    }
    let shape = broadcastShape(a.shape, b.shape, op: op)
    let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
    let n = shape.reduce(1, *)
    let out = [Float](unsafeUninitializedCapacity: n) { buf, count in
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                forEachBroadcast(shape: shape, stridesA: sa, stridesB: sb) { o, ia, ib, len, da, db in
                    if da == 1 && db == 0 {
                        let bv = pb[ib]
                        for i in 0..<len { buf[o + i] = f(pa[ia + i], bv) }
                    } else if da == 0 && db == 1 {
                        let av = pa[ia]
                        for i in 0..<len { buf[o + i] = f(av, pb[ib + i]) }
                    } else {
                        for i in 0..<len { buf[o + i] = f(pa[ia + i * da], pb[ib + i * db]) }
                    }
                }
            }
        }
        count = n
    }
    return (shape, out)
}

@inline(__always)
func mapScalars(_ x: Tensor, _ f: (Float) -> Float) -> [Float] {
    let n = x.count
    return [Float](unsafeUninitializedCapacity: n) { buf, count in
        x.scalars.withUnsafeBufferPointer { p in
            nonisolated(unsafe) let (src, o) = (p, buf)
            forEachElementBlock(n) { r in for i in r { o[i] = f(src[i]) } }
        }
        count = n
    }
}

@inline(__always)
func zipScalars(_ x: [Float], _ y: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    let n = x.count
    return [Float](unsafeUninitializedCapacity: n) { buf, count in
        x.withUnsafeBufferPointer { p in
            y.withUnsafeBufferPointer { q in
                nonisolated(unsafe) let (u, v, o) = (p, q, buf)
                forEachElementBlock(n) { r in for i in r { o[i] = f(u[i], v[i]) } }
            }
        }
        count = n
    }
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shape, out) = binaryForward(a, b, op: "add") { $0 + $1 }
        let sa = a.shape, sb = b.shape
        return record("add", shape: shape, scalars: out, inputs: [a, b]) { g in
            [g.summedToShape(sa), g.summedToShape(sb)]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shape, out) = binaryForward(a, b, op: "subtract") { $0 - $1 }
        let sa = a.shape, sb = b.shape, needB = b.isTracked
        return record("subtract", shape: shape, scalars: out, inputs: [a, b]) { g in
            [g.summedToShape(sa), needB ? Tensor(shape: g.shape, scalars: mapScalars(g) { -$0 }).summedToShape(sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (shape, out) = binaryForward(a, b, op: "multiply") { $0 * $1 }
        let ad = a.detached(), bd = b.detached(), needA = a.isTracked, needB = b.isTracked
        return record("multiply", shape: shape, scalars: out, inputs: [a, b]) { g in
            [needA ? gradProduct(g, bd).summedToShape(ad.shape) : nil,
             needB ? gradProduct(g, ad).summedToShape(bd.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (shape, out) = binaryForward(a, b, op: "divide") { $0 / $1 }
        let ad = a.detached(), bd = b.detached(), needA = a.isTracked, needB = b.isTracked
        return record("divide", shape: shape, scalars: out, inputs: [a, b]) { g in
            // d(a/b)/da = 1/b, d(a/b)/db = −a/b²
            let ga: Tensor? = needA
                ? Tensor(shape: g.shape, scalars: binaryForward(g, bd, op: "divide") { $0 / $1 }.scalars).summedToShape(ad.shape) : nil
            var gb: Tensor?
            if needB {
                let t = binaryForward(g, ad, op: "divide") { $0 * $1 }
                let r = binaryForward(Tensor(shape: t.shape, scalars: t.scalars), bd, op: "divide") { -$0 / ($1 * $1) }
                gb = Tensor(shape: r.shape, scalars: r.scalars).summedToShape(bd.shape)
            }
            return [ga, gb]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        record("negate", shape: x.shape, scalars: mapScalars(x) { -$0 }, inputs: [x]) { g in
            [Tensor(shape: g.shape, scalars: mapScalars(g) { -$0 })]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(s) * a }
    public static func / (a: Tensor, s: Float) -> Tensor { a / Tensor(s) }
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(s) / a }
}

/// `g ⊙ x` broadcast, as a plain tensor (pullback helper).
func gradProduct(_ g: Tensor, _ x: Tensor) -> Tensor {
    let r = binaryForward(g, x, op: "multiply") { $0 * $1 }
    return Tensor(shape: r.shape, scalars: r.scalars)
}

/// A unary element-wise rule: the value and its derivative from the input and output element.
/// Each rule is a type, so `unary` is specialised and both loops inline (a closure called per
/// element from the escaping pullback would not be).
protocol UnaryRule {
    func value(_ x: Float) -> Float
    func derivative(x: Float, y: Float) -> Float
}

struct ExpRule: UnaryRule {
    func value(_ x: Float) -> Float { Foundation.exp(x) }
    func derivative(x: Float, y: Float) -> Float { y }
}
struct LogRule: UnaryRule {
    func value(_ x: Float) -> Float { Foundation.log(x) }
    func derivative(x: Float, y: Float) -> Float { 1 / x }
}
struct SqrtRule: UnaryRule {
    func value(_ x: Float) -> Float { x.squareRoot() }
    func derivative(x: Float, y: Float) -> Float { 0.5 / y }
}
struct PowRule: UnaryRule {
    let p: Float
    func value(_ x: Float) -> Float { Foundation.pow(x, p) }
    func derivative(x: Float, y: Float) -> Float { p * Foundation.pow(x, p - 1) }
}
struct ReluRule: UnaryRule {
    func value(_ x: Float) -> Float { x > 0 ? x : 0 }
    func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : 0 }
}
struct SigmoidRule: UnaryRule {
    func value(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
    func derivative(x: Float, y: Float) -> Float { y * (1 - y) }
}
struct ClampRule: UnaryRule {
    let lower, upper: Float
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
    func derivative(x: Float, y: Float) -> Float { (x >= lower && x <= upper) ? 1 : 0 }
}

/// A unary primitive following `rule`.
func unary<R: UnaryRule>(_ x: Tensor, _ op: StaticString, _ rule: R) -> Tensor {
    let out = mapScalars(x) { rule.value($0) }
    let xs = x.scalars
    return Tensor.record(op, shape: x.shape, scalars: out, inputs: [x]) { g in
        let n = g.count
        let grad = [Float](unsafeUninitializedCapacity: n) { buf, count in
            g.scalars.withUnsafeBufferPointer { pg in
                xs.withUnsafeBufferPointer { px in
                    out.withUnsafeBufferPointer { py in
                        nonisolated(unsafe) let (gs, xs, ys, o) = (pg, px, py, buf)
                        forEachElementBlock(n) { r in for i in r { o[i] = gs[i] * rule.derivative(x: xs[i], y: ys[i]) } }
                    }
                }
            }
            count = n
        }
        return [Tensor(shape: g.shape, scalars: grad)]
    }
}

public func exp(_ x: Tensor) -> Tensor { unary(x, "exp", ExpRule()) }
public func log(_ x: Tensor) -> Tensor { unary(x, "log", LogRule()) }
public func sqrt(_ x: Tensor) -> Tensor { unary(x, "sqrt", SqrtRule()) }
public func pow(_ x: Tensor, _ p: Float) -> Tensor { unary(x, "pow", PowRule(p: p)) }
public func relu(_ x: Tensor) -> Tensor { unary(x, "relu", ReluRule()) }
public func sigmoid(_ x: Tensor) -> Tensor { unary(x, "sigmoid", SigmoidRule()) }
/// Clamps into `[lower, upper]`; the gradient passes where `lower ≤ x ≤ upper` (as PyTorch).
public func clamp(_ x: Tensor, min lower: Float, max upper: Float) -> Tensor {
    precondition(lower <= upper, "clamp: min \(lower) > max \(upper)")
    return unary(x, "clamp", ClampRule(lower: lower, upper: upper))
}

// MARK: - Comparisons (no gradient) and selection

extension Tensor {
    private func compare(_ other: Tensor, _ op: String, _ f: (Float, Float) -> Bool) -> Tensor {
        let r = binaryForward(self, other, op: op) { f($0, $1) ? 1 : 0 }
        return Tensor(shape: r.shape, scalars: r.scalars)
    }
    /// 1 where `self > other`, else 0 (broadcasting; constant, no gradient).
    public func greater(_ other: Tensor) -> Tensor { compare(other, "greater") { $0 > $1 } }
    public func greaterEqual(_ other: Tensor) -> Tensor { compare(other, "greaterEqual") { $0 >= $1 } }
    public func less(_ other: Tensor) -> Tensor { compare(other, "less") { $0 < $1 } }
    public func lessEqual(_ other: Tensor) -> Tensor { compare(other, "lessEqual") { $0 <= $1 } }
    public func equal(_ other: Tensor) -> Tensor { compare(other, "equal") { $0 == $1 } }
    public func greater(_ s: Float) -> Tensor { greater(Tensor(s)) }
    public func greaterEqual(_ s: Float) -> Tensor { greaterEqual(Tensor(s)) }
    public func less(_ s: Float) -> Tensor { less(Tensor(s)) }
    public func lessEqual(_ s: Float) -> Tensor { lessEqual(Tensor(s)) }
}

/// `condition ≠ 0 ? a : b` element-wise (the `where` of NumPy). `a` and `b` must have
/// `condition`'s shape or broadcast to it; the gradient goes to `a` where the condition
/// holds and to `b` elsewhere.
public func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let shape = broadcastShape(broadcastShape(condition.shape, a.shape, op: "select"), b.shape, op: "select")
    let c = condition.shape == shape ? condition : condition.expanded(to: shape).detached()
    let ae = a.shape == shape ? a : a.expanded(to: shape)
    let be = b.shape == shape ? b : b.expanded(to: shape)
    let cs = c.scalars
    let av = ae.scalars, bv = be.scalars
    var out = [Float](repeating: 0, count: cs.count)
    for i in 0..<cs.count { out[i] = cs[i] != 0 ? av[i] : bv[i] }
    return Tensor.record("select", shape: shape, scalars: out, inputs: [ae, be]) { g in
        let ga = zipScalars(g.scalars, cs) { $1 != 0 ? $0 : 0 }
        let gb = zipScalars(g.scalars, cs) { $1 != 0 ? 0 : $0 }
        return [Tensor(shape: shape, scalars: ga), Tensor(shape: shape, scalars: gb)]
    }
}

/// The straight-through operator: the value of `forward`, the gradient of `backward`.
///
/// `y = straightThrough(forward: hard, backward: soft)` equals `hard` but differentiates as
/// `soft` (the identity pullback goes to `soft`; `hard` gets none). Masks and quantizers use it:
/// `straightThrough(forward: round(x), backward: x)`.
public func straightThrough(forward: Tensor, backward: Tensor) -> Tensor {
    precondition(forward.shape == backward.shape,
                 "straightThrough: forward \(forward.shape) and backward \(backward.shape) differ")
    return Tensor.record("straightThrough", shape: forward.shape, scalars: forward.scalars, inputs: [backward]) { g in [g] }
}
