import Foundation

/// Where the arrays sit on the chip, for area: how many array positions it has.
///
/// With ``Floorplan/arrays`` the chip holds exactly the arrays of the layers, each layer
/// duplicated by its pipeline speed-up. With ``Floorplan/neuroSimTiles`` arrays are grouped as
/// NeuroSim groups them (its `ChipFloorPlan`, re-derived here): layers on kernel-split (novel)
/// mapping go on tiles of `k` PEs (k = the common kernel area) of P × P cells, the other layers on
/// square tiles of T × T cells made of PEs; P and T are powers of two picked for the best
/// utilisation; small layers are copied inside their PE or tile for free, and a pipelined layer
/// needs ⌈speed-up / free copies⌉ times its tiles. Area then counts whole tiles, used or not.
public struct ChipFloorplan: Codable, Sendable, Equatable {
    /// Array positions on the chip (each costs one array's area with its periphery).
    public var arraySlots: Int
    /// Pipeline duplication of each layer (1 = none).
    public var speedUp: [Int]
    /// NeuroSim tiles: novel-mapped and conventional (0 with the plain floorplan).
    public var novelTiles: Int
    public var conventionalTiles: Int
    /// NeuroSim PE size of novel-mapped tiles and tile / PE size of conventional tiles, in cells (0 if unused).
    public var novelPESize: Int
    public var conventionalTileSize: Int
    public var conventionalPESize: Int
}

extension NetworkMapping {
    /// Per-layer pipeline speed-up (NeuroSim `ChipDesignInitialize`): degree d = min(pipelineSpeedUp,
    /// ⌊IFM_first / IFM_min⌋) with IFM_min over layers with kernel > 1; layer i gets ⌈(IFM_i / ⌈IFM_first/d⌉)²⌉.
    public var pipelineSpeedUps: [Int] {
        guard geometry.pipelineSpeedUp > 1, let first = layers.first else { return layers.map { _ in 1 } }
        let maxIFM = first.layer.inputHeight
        let minIFM = layers.filter { $0.layer.kernelHeight != 1 }.map(\.layer.inputHeight).min().map { min($0, maxIFM) } ?? maxIFM
        let degree = max(1, min(geometry.pipelineSpeedUp, maxIFM / max(minIFM, 1)))
        let bound = Double((maxIFM + degree - 1) / degree)
        return layers.map { Int((pow(Double($0.layer.inputHeight) / bound, 2)).rounded(.up)) }
    }

    /// The chip's floorplan for this mapping.
    public var floorplan: ChipFloorplan {
        let speedUp = pipelineSpeedUps
        switch geometry.floorplan {
        case .arrays:
            let slots = zip(layers, speedUp).reduce(0) { $0 + $1.0.arrays * $1.1 }
            return ChipFloorplan(arraySlots: slots, speedUp: speedUp, novelTiles: 0, conventionalTiles: 0,
                                 novelPESize: 0, conventionalTileSize: 0, conventionalPESize: 0)
        case .neuroSimTiles:
            return neuroSimTiles(speedUp: speedUp)
        }
    }

    private func neuroSimTiles(speedUp: [Int]) -> ChipFloorplan {
        let r = geometry.arrayRows, c = geometry.arrayColumns, cw = geometry.cellsPerWeight
        let pesPerNovelTile = Self.mostCommonKernelArea(layers.map(\.layer)) ?? 1
        func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        func cube(_ l: LayerMapping) -> Int { 1 << MaskPacking.bitsFor(levels: l.layer.outputChannels * cw) }
        let novel = layers.filter(\.kernelSplit), conventional = layers.filter { !$0.kernelSplit }
        func weightCells(_ ls: [LayerMapping]) -> Double { ls.reduce(0) { $0 + Double($1.layer.weights * cw) } }

        // Novel-mapped tiles: PE of p × p cells, each tile `pesPerNovelTile` PEs; p by best utilisation.
        func novelTiles(_ p: Int) -> Int { novel.reduce(0) { $0 + ceilDiv($1.layer.inputChannels, p) * ceilDiv($1.layer.outputChannels * cw, p) } }
        var novelPE = max(novel.map(cube).max() ?? 0, 2 * r)
        if !novel.isEmpty {
            var best = 0.0, p = novelPE
            while p > 2 * r {
                let u = weightCells(novel) / (Double(novelTiles(p)) * Double(p * p * pesPerNovelTile))
                if u > best { best = u; novelPE = p }
                p /= 2
            }
        }
        // Conventional tiles: t × t cells by best utilisation, then PEs of t/2, t/4, … cells.
        func conventionalTiles(_ t: Int) -> Int { conventional.reduce(0) { $0 + ceilDiv($1.layer.unrolledRows, t) * ceilDiv($1.layer.outputChannels * cw, t) } }
        var tile = max(conventional.map(cube).max() ?? 0, 4 * r), bestConventional = 0.0
        var t = tile
        while t > 4 * r {
            let u = weightCells(conventional) / (Double(max(conventionalTiles(t), 1)) * Double(t * t))
            if u > bestConventional { bestConventional = u; tile = t }
            t /= 2
        }
        let tileCount = conventionalTiles(tile)
        func peCopies(_ l: LayerMapping, pe: Int) -> Int {  // copies of a conventional layer inside one tile
            let k = l.layer.unrolledRows, n = l.layer.outputChannels * cw
            guard k <= tile || n <= tile else { return 1 }
            let perTile = ceilDiv(tile, pe)
            return max(1, perTile / ceilDiv(k, pe)) * max(1, perTile / ceilDiv(n, pe))
        }
        var conventionalPE = tile / 2
        var pe = tile / 2
        while pe > 2 * r {
            let used = conventional.reduce(0.0) { $0 + Double(peCopies($1, pe: pe) * $1.layer.weights * cw) }
            let u = used / (Double(max(tileCount, 1)) * Double(tile * tile))
            if u > bestConventional { bestConventional = u; conventionalPE = pe }
            pe /= 2
        }

        var novelTileCount = 0, conventionalTileCount = 0
        for (l, s) in zip(layers, speedUp) {
            let peSize = l.kernelSplit ? novelPE : conventionalPE
            let rowsPerMatrix = l.kernelSplit ? l.layer.inputChannels : l.layer.unrolledRows
            let columnsPerMatrix = l.layer.outputChannels * cw
            var copies = l.kernelSplit ? 1 : peCopies(l, pe: conventionalPE)
            if rowsPerMatrix <= peSize || columnsPerMatrix <= peSize {  // copies of the matrix inside one PE
                copies *= max(1, ceilDiv(peSize, r) / ceilDiv(rowsPerMatrix, r)) * max(1, ceilDiv(peSize, c) / ceilDiv(columnsPerMatrix, c))
            }
            let unit = l.kernelSplit ? novelPE : tile
            var tilesDown = ceilDiv(rowsPerMatrix, unit)
            if geometry.pipelineSpeedUp > 1 { tilesDown *= ceilDiv(s, copies) }
            let tiles = tilesDown * ceilDiv(columnsPerMatrix, unit)
            if l.kernelSplit { novelTileCount += tiles } else { conventionalTileCount += tiles }
        }
        let novelSlots = novelTileCount * pesPerNovelTile * (novelPE / r) * (novelPE / c)
        let conventionalSlots = conventionalTileCount * (tile / r) * (tile / c)
        return ChipFloorplan(arraySlots: novelSlots + conventionalSlots, speedUp: speedUp, novelTiles: novelTileCount,
                             conventionalTiles: conventionalTileCount, novelPESize: novel.isEmpty ? 0 : novelPE,
                             conventionalTileSize: conventional.isEmpty ? 0 : tile, conventionalPESize: conventional.isEmpty ? 0 : conventionalPE)
    }
}
