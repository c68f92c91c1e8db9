/// How a signed weight level is spread over ReRAM cells — the one encoding the measured
/// (``CellEncoding/accumulate(from:to:weightBits:cellBits:into:)``) and the analytic
/// (``WeightRewrite``) re-programming counts share.
///
/// Offset binary: level `l` ∈ −(2^(b−1)−1) … 2^(b−1)−1 is stored as code `l + 2^(b−1)` ∈ 0 ..< 2^b
/// (NeuroSim maps the weight range linearly onto conductance, so weight 0 is code 2^(b−1)); code
/// digit i (base 2^cellBits, least significant first) sits in cell column i of the weight's
/// ⌈b / cellBits⌉ cell columns. One common mapping for signed weights on unipolar cells; the
/// papers do not state theirs.
public enum CellEncoding {
    /// Offset-binary code of a signed weight level: `level + 2^(weightBits−1)`.
    public static func code(level: Int, weightBits: Int) -> Int { level + (1 << (weightBits - 1)) }

    /// Cell level of digit `cell` (0 = least significant) of `code`.
    public static func digit(_ cell: Int, of code: Int, cellBits: Int) -> Int {
        (code >> (cell * cellBits)) & ((1 << cellBits) - 1)
    }

    /// Cell levels of a code, least significant cell first.
    public static func digits(code: Int, weightBits: Int, cellBits: Int) -> [Int] {
        (0..<cellsPerWeight(weightBits: weightBits, cellBits: cellBits)).map { digit($0, of: code, cellBits: cellBits) }
    }

    /// Cell levels of a signed weight level, least significant cell first.
    public static func digits(level: Int, weightBits: Int, cellBits: Int) -> [Int] {
        digits(code: code(level: level, weightBits: weightBits), weightBits: weightBits, cellBits: cellBits)
    }

    /// ⌈weightBits / cellBits⌉.
    public static func cellsPerWeight(weightBits: Int, cellBits: Int) -> Int { (weightBits + cellBits - 1) / cellBits }

    /// Adds the cell transitions of rewriting weight levels `from` → `to` into `counts[from][to]`.
    /// With `from == nil` the cells start erased (cell level 0: a spare PE).
    public static func accumulate(from: [Int]?, to: [Int], weightBits: Int, cellBits: Int, into counts: inout [[Int]]) {
        if let from { precondition(from.count == to.count, "CellEncoding.accumulate: \(from.count) old levels, \(to.count) new") }
        for i in 0..<to.count {
            let new = digits(level: to[i], weightBits: weightBits, cellBits: cellBits)
            let old = from.map { digits(level: $0[i], weightBits: weightBits, cellBits: cellBits) }
                ?? [Int](repeating: 0, count: new.count)
            for j in 0..<new.count { counts[old[j]][new[j]] += 1 }
        }
    }
}
