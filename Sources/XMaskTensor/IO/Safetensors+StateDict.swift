extension Safetensors {
    /// Checks that this file holds exactly the keys of a model's state dict with the shapes it
    /// expects; throws ``SafetensorsError/stateDictMismatch(file:problems:)`` listing every
    /// missing key, unexpected key and wrong shape (sorted by key).
    ///
    /// - Parameter allowingUnexpectedKeys: accept extra entries (for example when loading a
    ///   backbone out of a file that also holds a classifier head).
    public func checkStateDict(expectedShapes: [String: [Int]], allowingUnexpectedKeys: Bool = false) throws(SafetensorsError) {
        try Self.checkStateDict(entries.mapValues(\.shape), expectedShapes: expectedShapes, file: file,
                                allowingUnexpectedKeys: allowingUnexpectedKeys)
    }

    /// ``checkStateDict(expectedShapes:allowingUnexpectedKeys:)`` for shapes from anywhere
    /// (`file` names their source in the message).
    public static func checkStateDict(
        _ shapes: [String: [Int]], expectedShapes: [String: [Int]], file: String, allowingUnexpectedKeys: Bool = false
    ) throws(SafetensorsError) {
        var problems: [SafetensorsError.StateDictProblem] = []
        for key in Set(shapes.keys).union(expectedShapes.keys).sorted(by: byteOrder) {
            switch (shapes[key], expectedShapes[key]) {
            case (nil, let expected?):
                problems.append(.missing(key: key, expectedShape: expected))
            case (let found?, nil):
                if !allowingUnexpectedKeys { problems.append(.unexpected(key: key, shape: found)) }
            case (let found?, let expected?) where found != expected:
                problems.append(.wrongShape(key: key, expected: expected, found: found))
            default:
                break
            }
        }
        if !problems.isEmpty { throw .stateDictMismatch(file: file, problems: problems) }
    }
}
