import CKernels
import Foundation

/// A fixed set of worker threads for data-parallel loops.
///
/// A decode step issues ~200 matmuls of 20-50 µs each, so dispatch has to be
/// cheap: the workers are persistent pthreads (CKernels' pool.c) that spin
/// briefly on a generation counter after each job before sleeping. Calls
/// from several threads are serialized (one job runs at a time); `run` must
/// not be called from inside a `run` body.
public final class ThreadPool: @unchecked Sendable {
    /// Workers that take part in `run`, the caller included.
    public let threads: Int
    private let handle: OpaquePointer?
    /// Scratch for quantized activations, reused across MatMul calls
    /// (safe because `run` is never used concurrently).
    private var scratch: UnsafeMutableRawPointer?
    private var scratchBytes = 0
    /// Serializes jobs (and use of the scratch buffer) between callers.
    private let lock = NSLock()

    public init(threads: Int) {
        let wanted = max(1, threads)
        if wanted > 1, let h = ck_pool_create(Int32(clamping: wanted)) {
            handle = h
            self.threads = Int(ck_pool_size(h))
        } else {
            handle = nil
            self.threads = 1
        }
    }

    deinit {
        if let handle { ck_pool_destroy(handle) }
        scratch?.deallocate()
    }

    /// Runs body(worker, workerCount) on every worker (caller participates
    /// as worker 0) and returns when all finished.
    public func run(_ body: (Int, Int) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        runUnlocked(body)
    }

    /// Holds the pool for a sequence of jobs that share the scratch buffer.
    func exclusive<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// `run` for callers already inside `exclusive`.
    func runUnlocked(_ body: (Int, Int) -> Void) {
        guard let handle, threads > 1 else { body(0, 1); return }
        withoutActuallyEscaping(body) { escapable in
            var fn = escapable
            withUnsafeMutablePointer(to: &fn) { ctx in
                ck_pool_run(handle, { raw, worker, count in
                    guard let raw else { return }
                    raw.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(Int(worker), Int(count))
                }, ctx)
            }
        }
    }

    /// Names the calling thread as debuggers and `/proc/PID/task/*/comm` show it
    /// (at most 15 characters; the pool's own workers are `aqyl-pool`).
    public static func nameCurrentThread(_ name: String) {
        ck_name_thread(name)
    }

    /// A buffer of at least `bytes` bytes, 64-byte aligned, owned by the pool;
    /// only valid inside `exclusive`.
    func scratchBuffer(bytes: Int) -> UnsafeMutableRawPointer {
        if let scratch, scratchBytes >= bytes { return scratch }
        scratch?.deallocate()
        let size = max(bytes, 4096)
        let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        scratch = p
        scratchBytes = size
        return p
    }
}
