import Foundation

/// NumPy's `.npz` archives (`numpy.savez`, `savez_compressed`): a zip file of `.npy` members,
/// stored or deflated.
public enum NPZ {
    /// Reads every array of the archive at `url`, keyed by member name without `.npy`.
    ///
    /// - Throws: ``FileReadError``, ``ZipError``, ``NPYError``.
    public static func read(at url: URL) throws -> [String: NPYArray] {
        try parse(try FileBytes.read(url), file: url.path)
    }

    /// Parses the bytes of an NPZ archive; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> [String: NPYArray] {
        let archive = try ZipArchive(bytes: bytes, file: file)
        var arrays: [String: NPYArray] = [:]
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            arrays[key] = try NPY.parse(try archive.data(of: entry), file: "\(file)[\(entry.name)]")
        }
        return arrays
    }
}
