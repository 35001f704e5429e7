import Foundation

/// A unique path under the system temp directory.
public func NSTemporaryPath(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "aqyl-tests-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + UUID().uuidString.prefix(8) + "-" + name
}
