extension HardwarePreset {
    /// A preset that predicts DNN+NeuroSim V1.5's figures (tag 2DInferenceV1.5, default
    /// Param.cpp): 22 nm, RRAM 1T1R, 128×128 subarrays read in parallel, 8 columns per ADC,
    /// multi-level sense-amp ADC, NeuroSim's novel (kernel-split) mapping and tile floorplan,
    /// pipelined with weight duplication (speed-up degree 8), XY-bus interconnect.
    ///
    /// Structure from NeuroSim's source (see ``NeuroSimCalibration`` for the terms), including its
    /// unpadded input-vector count and its global-buffer sizing; the numbers are fitted by
    /// ``NeuroSimCalibration/fit(_:cases:)`` on every row of ``NeuroSimReferenceCase/all`` (ResNet-18/CIFAR,
    /// ResNet-50 and ResNet-18 at 224, VGG-8 8-bit) and rounded to 4 digits (a test re-fits them;
    /// leave-one-network-out errors are in the module README). Leakage is not modelled (NeuroSim
    /// reports it apart). Mask-buffer numbers (NeuroSim has none) are XBM Table II's, area scaled by
    /// (22/32)². The write model keeps the xbm-32nm values with V1.5's Ron/Roff; it is not calibrated.
    public static let neuroSim22nm = HardwarePreset(
        name: "neurosim-v1.5-22nm",
        summary: "DNN+NeuroSim V1.5 defaults: 22 nm RRAM 1T1R, 128x128, 8 columns per MLSA ADC, novel mapping, pipelined tiles",
        source: "Calibrated on DNN+NeuroSim V1.5 ResNet-18/CIFAR runs (NeuroSimReferenceCase.all); structure from NeuroSim's Chip.cpp/SubArray.cpp",
        geometry: CrossbarGeometry(arrayRows: 128, arrayColumns: 128, cellBits: 2, weightBits: 4, activationBits: 4,
                                   adcBits: 5, columnsPerADC: 8, peArrayRows: 2, peArrayColumns: 2, sparePEFraction: 0,
                                   rowMapping: .kernelSplit, floorplan: .neuroSimTiles, pipelineSpeedUp: 8),
        technology: TechnologyParameters(
            rowDriveEnergyPicojoules: 0,
            wordLineEnergyPerCellPicojoules: 0.004165,
            arrayReadEnergyPerCellPicojoules: 0.0003075,
            countsNeuroSimInputVectors: true,
            inputBitDensity: 4.0 / 15.0,  // 4-bit activations, 50 % zeros: 0.5 · 8/15
            adcKind: .multilevelSenseAmp,
            adcEnergyPerConversionPicojoules: 0.02572,
            adcPeripheryEnergyPerConversionPicojoules: 0.01198,
            convertsUnusedColumns: true,
            adcReferenceBits: 5,
            shiftAddInputEnergyPerConversionPicojoules: 0.009135,
            shiftAddWeightEnergyPicojoules: 0.005755,
            maskBufferEnergyPerBitPicojoules: 0.003,
            adderTreeEnergyPer128UnitsPicojoules: [6.149, 18.45, 43.05],
            reluEnergyPer128UnitsPicojoules: 0,
            globalBufferEnergyPerBitPicojoules: 0.006965,
            interconnectEnergyPerBitPicojoules: 0.1540,
            pipelinedInterconnectFactor: 1.097,
            cellAreaSquareMicrometers: 0.1128,
            rowDriverAreaSquareMicrometers: 26.58,
            adcAreaSquareMicrometers: 60.08,
            shiftAddInputAreaSquareMicrometers: 26.58,
            shiftAddWeightAreaSquareMicrometers: 0,
            maskBufferAreaPerBitSquareMicrometers: XBMTable2.maskBufferAreaSquareMicrometers / Double(XBMTable2.columns) * (22.0 * 22.0) / (32.0 * 32.0),
            adderTreeAreaPer128UnitsSquareMicrometers: [0],
            reluAreaPer128UnitsSquareMicrometers: 0,
            globalBufferAreaPerBitSquareMicrometers: 1.218,
            sizesGlobalBufferLikeNeuroSim: true,
            writeVoltageVolts: 4,
            writePulseWidthNanoseconds: 50,
            writePulsesFullRange: 32,
            onResistanceOhms: 6e3,
            offResistanceOhms: 102e3,
            bitLineCapacitancePerRowFemtofarads: 0.0256 * 22.0 / 32.0,
            // The papers model is a calibration to the papers' 32 nm hardware; kept as is here.
            papersCellFullRangeWriteEnergyNanojoules: PapersWriteCalibration.cellFullRangeNanojoules,
            papersPEWriteEnergyPerCellNanojoules: PapersWriteCalibration.peCellNanojoules))
}
