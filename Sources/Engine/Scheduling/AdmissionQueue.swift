import Foundation

/// Who waits and who runs: the FIFO of submitted jobs, the number of sequences in
/// flight, and the limits that refuse a request at once instead of letting it wait
/// without bound.
///
/// The one piece of the scheduler that submitting tasks and the scheduler thread
/// share; everything in it is guarded by `condition`, which the thread sleeps on
/// while there is nothing to do.
final class AdmissionQueue: @unchecked Sendable {
    /// Sequences that can run at once (the scheduler's slots).
    let capacity: Int
    /// Requests that may wait for a slot beyond those running.
    let queueLimit: Int
    private let condition = NSCondition()
    private var waiting: [SchedulerJob] = []
    private var busy = 0
    private var shuttingDown = false

    init(capacity: Int, queueLimit: Int) {
        self.capacity = capacity
        self.queueLimit = queueLimit
    }

    /// Requests waiting for a slot and sequences in flight.
    var load: (waiting: Int, active: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (waiting.count, busy)
    }

    /// Queues `job`, or refuses it: after ``shutdown()``, or when the running and
    /// waiting requests already fill the slots and the queue.
    func enqueue(_ job: SchedulerJob) throws(SchedulerError) {
        condition.lock()
        defer { condition.unlock() }
        if shuttingDown { throw .shuttingDown }
        // In flight plus waiting, so the answer does not race the thread's admission.
        if waiting.count + busy >= capacity + queueLimit { throw .queueFull(limit: queueLimit) }
        waiting.append(job)
        condition.signal()
    }

    /// What the scheduler thread does next. Sleeps while nothing runs and nothing waits;
    /// then admits waiting jobs into the free slots, in order (a job cancelled while it
    /// waited just ends). `nil` once shut down and drained: the thread's cue to exit.
    func admit() -> (jobs: [SchedulerJob], waiting: Int, active: Int)? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && busy == 0 && !shuttingDown { condition.wait() }
        if shuttingDown && waiting.isEmpty && busy == 0 { return nil }
        var admitted: [SchedulerJob] = []
        while busy < capacity, !waiting.isEmpty {
            let job = waiting.removeFirst()
            if job.isCancelled { job.continuation.finish(); continue }
            admitted.append(job)
            busy += 1
        }
        return (admitted, waiting.count, busy)
    }

    /// A running sequence ended; returns how many still run.
    func release() -> Int {
        condition.lock()
        defer { condition.unlock() }
        busy -= 1
        return busy
    }

    /// Refuses new requests from now on; the thread exits once what runs and waits is done.
    func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.signal()
        condition.unlock()
    }

    /// Cancels every waiting job and wakes the thread, which runs `alsoRunning` (it cancels
    /// the running ones) under the same lock, so no job slips between the two.
    func cancelAll(alsoRunning: () -> Void) {
        condition.lock()
        for job in waiting { job.cancel() }
        alsoRunning()
        condition.signal()
        condition.unlock()
    }
}
