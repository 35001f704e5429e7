import Foundation

/// A unique path under the system temp directory.
public func NSTemporaryPath(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "aqyl-tests-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + UUID().uuidString.prefix(8) + "-" + name
}

public enum TempPaths {
    /// A new, empty directory under the system temp directory.
    public static func directory(_ name: String) -> String {
        let path = NSTemporaryPath(name)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
