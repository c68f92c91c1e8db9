extension HardwarePreset {
    /// A preset that predicts DNN+NeuroSim V1.5's figures (tag 2DInferenceV1.5, default
    /// Param.cpp): 22 nm, RRAM 1T1R, 128×128 subarrays read in parallel, 8 columns per ADC,
    /// multi-level sense-amp ADC, NeuroSim's novel (kernel-split) mapping and tile floorplan,
    /// pipelined with weight duplication (speed-up degree 8), XY-bus interconnect.
    ///
    /// Structure from NeuroSim's source (see ``NeuroSimCalibration`` for the terms); the numbers
    /// are fitted by ``NeuroSimCalibration/fit(_:cases:)`` on the eight ResNet-18 rows of
    /// ``NeuroSimReferenceCase/all`` and rounded to 4 digits (a test re-fits them). The fitted
    /// per-conversion ADC energy, 0.604 fJ per level (18.7 fJ at 5 bits), is near the ≈ 0.83 fJ · (2^b − 1) read from
    /// NeuroSim's MLSA model; the word-line term, 2.7 fJ per cell, gives 44 pJ per fully active
    /// 128×128 read, near NeuroSim's 45.8 pJ. Leakage is not modelled (NeuroSim reports it apart).
    /// Mask-buffer numbers (NeuroSim has none) are XBM Table II's, area scaled by (22/32)². The
    /// write model keeps the xbm-32nm values with V1.5's Ron/Roff; it is not calibrated.
    public static let neuroSim22nm = HardwarePreset(
        name: "neurosim-v1.5-22nm",
        summary: "DNN+NeuroSim V1.5 defaults: 22 nm RRAM 1T1R, 128x128, 8 columns per MLSA ADC, novel mapping, pipelined tiles",
        source: "Calibrated on DNN+NeuroSim V1.5 ResNet-18/CIFAR runs (NeuroSimReferenceCase.all); structure from NeuroSim's Chip.cpp/SubArray.cpp",
        geometry: CrossbarGeometry(arrayRows: 128, arrayColumns: 128, cellBits: 2, weightBits: 4, activationBits: 4,
                                   adcBits: 5, columnsPerADC: 8, peArrayRows: 2, peArrayColumns: 2, sparePEFraction: 0,
                                   rowMapping: .kernelSplit, floorplan: .neuroSimTiles, pipelineSpeedUp: 8),
        technology: TechnologyParameters(
            rowDriveEnergyPicojoules: 0,
            wordLineEnergyPerCellPicojoules: 0.002688,
            arrayReadEnergyPerCellPicojoules: 0.0002264,
            inputBitDensity: 4.0 / 15.0,  // 4-bit activations, 50 % zeros: 0.5 · 8/15
            adcKind: .multilevelSenseAmp,
            adcEnergyPerConversionPicojoules: 0.01872,
            adcPeripheryEnergyPerConversionPicojoules: 0.009433,
            convertsUnusedColumns: true,
            adcReferenceBits: 5,
            shiftAddInputEnergyPerConversionPicojoules: 0.007966,
            shiftAddWeightEnergyPicojoules: 0.002292,
            maskBufferEnergyPerBitPicojoules: 0.003,
            adderTreeEnergyPer128UnitsPicojoules: [3.710, 11.13, 25.97],
            reluEnergyPer128UnitsPicojoules: 0,
            globalBufferEnergyPerBitPicojoules: 0.005320,
            interconnectEnergyPerBitPicojoules: 0.1215,
            pipelinedInterconnectFactor: 1.049,
            cellAreaSquareMicrometers: 0.1230,
            rowDriverAreaSquareMicrometers: 26.51,
            adcAreaSquareMicrometers: 59.22,
            shiftAddInputAreaSquareMicrometers: 26.51,
            shiftAddWeightAreaSquareMicrometers: 0,
            maskBufferAreaPerBitSquareMicrometers: XBMTable2.maskBufferAreaSquareMicrometers / Double(XBMTable2.columns) * (22.0 * 22.0) / (32.0 * 32.0),
            adderTreeAreaPer128UnitsSquareMicrometers: [0],
            reluAreaPer128UnitsSquareMicrometers: 0,
            globalBufferAreaPerBitSquareMicrometers: 0,
            writeVoltageVolts: 4,
            writePulseWidthNanoseconds: 50,
            writePulsesFullRange: 32,
            onResistanceOhms: 6e3,
            offResistanceOhms: 102e3,
            bitLineCapacitancePerRowFemtofarads: 0.0256 * 22.0 / 32.0))
}
