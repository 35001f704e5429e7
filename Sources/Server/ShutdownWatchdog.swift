import Engine
import Foundation
import ServiceLifecycle

/// Makes SIGTERM/SIGINT end the process within a bounded time, whatever is running.
///
/// The graceful shutdown lets streams in flight finish; this service bounds how long:
/// `grace` after the signal every generation is cancelled (clients get a finished stream
/// and `[DONE]`), and 5 s after that the process exits by itself — after taking the usage
/// ledger's lock, so no append is half written (each acknowledged event was already
/// fsync'd) — even if some handler is still stuck. A runaway chat template is bounded
/// by its own time limit; this is the backstop.
///
/// The timer runs on a plain thread, not a task: the cooperative pool may be the very
/// thing that is blocked.
struct ShutdownWatchdog: Service {
    let grace: Duration
    let schedulers: [BatchScheduler]
    let usage: UsageRecorder
    static let hardDeadline: Duration = .seconds(5)

    func run() async throws {
        // Until the shutdown starts (or the group is cancelled).
        try? await gracefulShutdown()
        if Task.isCancelled { return }
        let grace = grace, schedulers = schedulers, usage = usage
        let thread = Thread {
            Thread.sleep(forTimeInterval: Self.seconds(grace))
            for scheduler in schedulers { scheduler.cancelAll() }
            Thread.sleep(forTimeInterval: Self.seconds(Self.hardDeadline))
            FileHandle.standardError.write(Data("aqyl: shutdown took too long; exiting\n".utf8))
            usage.pauseAppends {
                usage.finalCheckpoint()
                _exit(0)
            }
        }
        thread.name = "aqyl-shutdown-watchdog"
        thread.start()
    }

    static func seconds(_ d: Duration) -> Double {
        d.seconds
    }
}
