/// How input activations reach the crossbar rows.
public enum InputMode: String, Codable, Sendable, CaseIterable {
    /// One bit-plane of the activations per array read (LSB first), joined by the input
    /// shift-adder: `activationBits` reads per input vector (XBM Fig. 3, NeuroSim default).
    /// The only mode the model implements; the field exists so that config files state it.
    case bitSerial = "bit-serial"
}

/// How the unrolled rows K = Cin·kh·kw of a conv are cut into row-chunks.
public enum RowMapping: String, Codable, Sendable, CaseIterable {
    /// Rows in cin-major order (cin, then kh, kw) packed into chunks of R rows: ⌈K/R⌉ chunks
    /// (docs/architecture.md, "The methods"; XBM §III-C). Column masks are defined on this mapping.
    case packed
    /// NeuroSim's "novel mapping": each kernel position (kh, kw) gets its own arrays holding the
    /// Cin rows of that position, so a layer has kh·kw·⌈Cin/R⌉ row-chunks. Applies to layers
    /// whose kernel area is the network's most common one (≠ 1) and K ≥ R; other layers are packed
    /// (NeuroSim `ChipDesignInitialize`).
    case kernelSplit = "kernel-split"
}

/// How arrays are placed on the chip, for area.
public enum Floorplan: String, Codable, Sendable, CaseIterable {
    /// Area counts the arrays the layers need (× pipeline duplication).
    case arrays
    /// NeuroSim's tiles: PE and tile sizes chosen by utilisation, whole tiles counted, weight
    /// duplication filling tiles first (NeuroSim `ChipFloorPlan`); see ``NeuroSimFloorplan``.
    case neuroSimTiles = "neurosim-tiles"
}

/// The crossbar geometry: array size, precisions, ADC sharing, PE grouping, spare PEs.
///
/// A weight of `weightBits` bits spans `cellsPerWeight = ⌈weightBits / cellBits⌉` adjacent cell
/// columns joined by the weight shift-adder, so one array holds
/// `weightColumnsPerArray = ⌊arrayColumns / cellsPerWeight⌋` weight columns (XBM §III-C).
/// A PE is a `peArrayRows × peArrayColumns` grid of arrays of one layer; XMA2 re-programs
/// whole PEs into spare PEs (XMA2 §4).
public struct CrossbarGeometry: Codable, Sendable, Equatable, Hashable {
    /// Rows (word lines) of one array. XBM Table II: 72.
    public var arrayRows: Int
    /// Cell columns (bit lines) of one array. XBM Table II: 72.
    public var arrayColumns: Int
    /// Bits stored per ReRAM cell. XBM §IV-B: 2-bit HfO₂ 1T1R cells.
    public var cellBits: Int
    /// Bits per quantized weight. XBM Table I: 4.
    public var weightBits: Int
    /// Bits per quantized activation (bit-serial input planes). XBM Table I: 4.
    public var activationBits: Int
    /// ADC resolution. XBM Table II: 5-bit SAR.
    public var adcBits: Int
    /// Cell columns sharing one ADC (converted one after another). XBM §IV-B: 1 (one ADC per column).
    public var columnsPerADC: Int
    /// Arrays along the unrolled-row (K) direction in one PE.
    public var peArrayRows: Int
    /// Arrays along the output-channel direction in one PE.
    public var peArrayColumns: Int
    /// Spare PEs as a fraction of the backbone's PEs (XMA2 §4 reserves spare PEs; its
    /// experiments re-program 5–40 %, 10 % as the main setting).
    public var sparePEFraction: Double
    /// How inputs are applied; bit-serial only.
    public var inputMode: InputMode
    /// How unrolled rows are cut into row-chunks.
    public var rowMapping: RowMapping
    /// How arrays are placed, for area.
    public var floorplan: Floorplan
    /// Pipeline speed-up degree (NeuroSim `speedUpDegree`): 1 = layer by layer, no weight
    /// duplication; d > 1 = pipelined, layer i duplicated ⌈(IFM_i / ⌈IFM_max/d⌉)²⌉ times, d capped
    /// at IFM_max / IFM_min over convs with kernel > 1 (NeuroSim `ChipDesignInitialize`).
    public var pipelineSpeedUp: Int
    /// Storage packing of multi-level column masks (XMA, XMA2 tier-2) in a task's mask memory:
    /// the one setting bundles, studies and `xmask hw` count mask bits with (``MaskMemory``).
    public var maskPacking: MaskPacking
    /// Bits of KSM's real-valued mask part per kernel. KSM stores one binary and one real value
    /// per kernel; the public KSM code keeps the real part as float32 — 32 by default.
    public var ksmRealValueBits: Int

    public init(arrayRows: Int = 72, arrayColumns: Int = 72, cellBits: Int = 2, weightBits: Int = 4,
                activationBits: Int = 4, adcBits: Int = 5, columnsPerADC: Int = 1,
                peArrayRows: Int = 2, peArrayColumns: Int = 2, sparePEFraction: Double = 0.1,
                inputMode: InputMode = .bitSerial, rowMapping: RowMapping = .packed,
                floorplan: Floorplan = .arrays, pipelineSpeedUp: Int = 1,
                maskPacking: MaskPacking = .radix, ksmRealValueBits: Int = 32) {
        self.arrayRows = arrayRows
        self.arrayColumns = arrayColumns
        self.cellBits = cellBits
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.adcBits = adcBits
        self.columnsPerADC = columnsPerADC
        self.peArrayRows = peArrayRows
        self.peArrayColumns = peArrayColumns
        self.sparePEFraction = sparePEFraction
        self.inputMode = inputMode
        self.rowMapping = rowMapping
        self.floorplan = floorplan
        self.pipelineSpeedUp = pipelineSpeedUp
        self.maskPacking = maskPacking
        self.ksmRealValueBits = ksmRealValueBits
    }

    /// Decodes every field; `maskPacking` and `ksmRealValueBits` may be absent (files written
    /// before the geometry owned them) and then take the defaults of ``init(arrayRows:arrayColumns:cellBits:weightBits:activationBits:adcBits:columnsPerADC:peArrayRows:peArrayColumns:sparePEFraction:inputMode:rowMapping:floorplan:pipelineSpeedUp:maskPacking:ksmRealValueBits:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = CrossbarGeometry()
        arrayRows = try c.decode(Int.self, forKey: .arrayRows)
        arrayColumns = try c.decode(Int.self, forKey: .arrayColumns)
        cellBits = try c.decode(Int.self, forKey: .cellBits)
        weightBits = try c.decode(Int.self, forKey: .weightBits)
        activationBits = try c.decode(Int.self, forKey: .activationBits)
        adcBits = try c.decode(Int.self, forKey: .adcBits)
        columnsPerADC = try c.decode(Int.self, forKey: .columnsPerADC)
        peArrayRows = try c.decode(Int.self, forKey: .peArrayRows)
        peArrayColumns = try c.decode(Int.self, forKey: .peArrayColumns)
        sparePEFraction = try c.decode(Double.self, forKey: .sparePEFraction)
        inputMode = try c.decode(InputMode.self, forKey: .inputMode)
        rowMapping = try c.decode(RowMapping.self, forKey: .rowMapping)
        floorplan = try c.decode(Floorplan.self, forKey: .floorplan)
        pipelineSpeedUp = try c.decode(Int.self, forKey: .pipelineSpeedUp)
        maskPacking = try c.decodeIfPresent(MaskPacking.self, forKey: .maskPacking) ?? defaults.maskPacking
        ksmRealValueBits = try c.decodeIfPresent(Int.self, forKey: .ksmRealValueBits) ?? defaults.ksmRealValueBits
    }

    /// The mask-memory accounting settings of this geometry.
    public var maskMemoryOptions: MaskMemoryOptions {
        get { MaskMemoryOptions(packing: maskPacking, ksmRealValueBits: ksmRealValueBits) }
        set {
            maskPacking = newValue.packing
            ksmRealValueBits = newValue.ksmRealValueBits
        }
    }

    /// Cell columns one weight spans: ⌈weightBits / cellBits⌉.
    public var cellsPerWeight: Int { (weightBits + cellBits - 1) / cellBits }
    /// Whole weight columns that fit in one array: ⌊arrayColumns / cellsPerWeight⌋.
    public var weightColumnsPerArray: Int { arrayColumns / cellsPerWeight }
    /// Conductance levels of one cell: 2^cellBits.
    public var cellLevels: Int { 1 << cellBits }
    /// Arrays in one PE.
    public var arraysPerPE: Int { peArrayRows * peArrayColumns }
    /// ADCs per array: ⌈arrayColumns / columnsPerADC⌉.
    public var adcsPerArray: Int { (arrayColumns + columnsPerADC - 1) / columnsPerADC }

    /// Checks every field; the error names the field and the expected range.
    public func validate() throws {
        func positive(_ name: String, _ v: Int, max: Int = 1 << 20) throws {
            guard v >= 1, v <= max else {
                throw CrossbarError.invalidField(field: name, value: String(v), expected: "an integer in 1...\(max)")
            }
        }
        try positive("arrayRows", arrayRows)
        try positive("arrayColumns", arrayColumns)
        try positive("cellBits", cellBits, max: 8)
        try positive("weightBits", weightBits, max: 16)
        try positive("activationBits", activationBits, max: 32)
        try positive("adcBits", adcBits, max: 16)
        try positive("columnsPerADC", columnsPerADC)
        try positive("peArrayRows", peArrayRows)
        try positive("peArrayColumns", peArrayColumns)
        try positive("pipelineSpeedUp", pipelineSpeedUp, max: 1024)
        try maskMemoryOptions.validate()
        guard sparePEFraction.isFinite, sparePEFraction >= 0, sparePEFraction <= 1 else {
            throw CrossbarError.invalidField(field: "sparePEFraction", value: String(sparePEFraction), expected: "a fraction in 0...1")
        }
        guard weightColumnsPerArray >= 1 else {
            throw CrossbarError.invalidField(
                field: "arrayColumns", value: String(arrayColumns),
                expected: "at least \(cellsPerWeight) columns: a \(weightBits)-bit weight on \(cellBits)-bit cells spans \(cellsPerWeight) cell columns, so this array cannot hold one weight")
        }
    }
}
