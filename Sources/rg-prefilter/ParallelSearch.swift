// Searching one mapped file on several cores. ripgrep searches a single file on one thread;
// this is how rg-prefilter gets ahead of it on a big capture log: the mapping is cut at line
// ends into segments, worker threads search them (each with its own LineMatcher, because PCRE2
// match data and JIT stacks are per thread) and each worker writes its own segment's output,
// in file order (it waits for its turn): the output is written while it is still in that core's
// cache. A window bounds how far workers run ahead. Used for plain line and count searches of
// regular files; -m, -l and --follow stay sequential, since they stop or wait at a point in the file.
import Glibc

enum ParallelSearch {
    /// Smaller files are searched in one pass: threads and per-thread matchers would cost more.
    static let minimumSize = 16 << 20

    /// How many threads are worth starting (the online cores, at most 8); 1 means search in line.
    static var workerCount: Int { max(1, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Searches `whole` with `workers` threads; `emit` gets each segment's output in file order
    /// (called on the worker threads, one at a time) and must empty it (`write(to:)`, `drain`).
    /// Returns the number of selected lines.
    static func run(
        _ whole: UnsafeRawBufferPointer,
        workers: Int,
        segmentSize: Int = 1 << 20,
        makeMatcher: @escaping @Sendable () throws -> LineMatcher,
        makeSearcher: @escaping @Sendable (LineMatcher) -> LineSearcher,
        emit: @escaping (inout WriteList) throws -> Void
    ) throws -> Int {
        let queue = SegmentQueue(whole, segmentSize: segmentSize, window: 2 * workers)
        let makeWorker = { Worker(queue: queue, makeMatcher: makeMatcher, makeSearcher: makeSearcher, emit: emit) }
        var threads: [pthread_t] = []
        for _ in 0..<workers {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(makeWorker()).toOpaque()
            let started = pthread_create(
                &thread,
                nil,
                { context in
                    guard let context else { return nil }
                    Unmanaged<Worker>.fromOpaque(context).takeRetainedValue().run()
                    return nil
                },
                context
            )
            if started == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Worker>.fromOpaque(context).release()
            }
        }
        // Without any thread (resources exhausted), search here: same order, same result.
        if threads.isEmpty { makeWorker().run() }
        queue.waitUntilDone()
        for thread in threads { pthread_join(thread, nil) }
        return try queue.result()
    }

    /// The shared state: segment bounds, the next segment to take, whose turn it is to write, the
    /// count and the first error. Every mutable field is guarded by `mutex` (hence @unchecked Sendable).
    final class SegmentQueue: @unchecked Sendable {
        private let base: UnsafeRawPointer?
        private var bounds: [Int] = [0]
        private var next = 0
        private var written = 0
        private var selected = 0
        private var failure: (any Error)?
        private let window: Int
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init(_ whole: UnsafeRawBufferPointer, segmentSize: Int, window: Int) {
            base = whole.baseAddress
            // Cut after the first newline at or past each segmentSize mark: segments hold whole lines.
            var start = 0
            while start < whole.count {
                let mark = min(start + segmentSize, whole.count)
                let end =
                    mark == whole.count
                    ? mark : (indexOfNewline(in: whole, (mark - 1)..<whole.count) ?? whole.count - 1) + 1
                bounds.append(end)
                start = end
            }
            self.window = window
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(changed, nil)
        }

        deinit {
            pthread_cond_destroy(changed)
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            changed.deallocate()
        }

        var segmentCount: Int { bounds.count - 1 }

        /// The next segment to search, waiting while the writing is a window behind; nil at the end
        /// or after a failure.
        func take() -> (Int, UnsafeRawBufferPointer)? {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while failure == nil, next < segmentCount, next >= written + window { pthread_cond_wait(changed, mutex) }
            guard failure == nil, next < segmentCount else { return nil }
            let index = next
            next += 1
            let start = base.map { $0 + bounds[index] }
            return (index, UnsafeRawBufferPointer(start: start, count: bounds[index + 1] - bounds[index]))
        }

        /// Waits until segment `index` may be written (every earlier one is); false after a failure.
        func waitForTurn(_ index: Int) -> Bool {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while failure == nil, written != index { pthread_cond_wait(changed, mutex) }
            return failure == nil
        }

        /// Segment `index` is written: the next one's turn.
        func written(_ index: Int, selected count: Int) {
            pthread_mutex_lock(mutex)
            written = index + 1
            selected += count
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }

        /// The first error ends the search: no more segments, no more writes.
        func fail(_ error: any Error) {
            pthread_mutex_lock(mutex)
            if failure == nil { failure = error }
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }

        func waitUntilDone() {
            pthread_mutex_lock(mutex)
            while failure == nil, written < segmentCount { pthread_cond_wait(changed, mutex) }
            pthread_mutex_unlock(mutex)
        }

        func result() throws -> Int {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            if let failure { throw failure }
            return selected
        }
    }

    final class Worker {
        let queue: SegmentQueue
        let makeMatcher: @Sendable () throws -> LineMatcher
        let makeSearcher: @Sendable (LineMatcher) -> LineSearcher
        let emit: (inout WriteList) throws -> Void

        init(
            queue: SegmentQueue,
            makeMatcher: @escaping @Sendable () throws -> LineMatcher,
            makeSearcher: @escaping @Sendable (LineMatcher) -> LineSearcher,
            emit: @escaping (inout WriteList) throws -> Void
        ) {
            self.queue = queue
            self.makeMatcher = makeMatcher
            self.makeSearcher = makeSearcher
            self.emit = emit
        }

        /// Searches segments until there are none left, writing each in its turn.
        func run() {
            var matcher: LineMatcher?
            // One output list per worker, reused: fresh buffers would cost a zeroed page every 4 KiB.
            // Long lines stay in the mapping (the segment is stable until the file is done).
            var out = WriteList()
            while let (index, segment) = queue.take() {
                do {
                    let current = try matcher ?? makeMatcher()
                    matcher = current
                    var searcher = makeSearcher(current)
                    try searcher.feed(segment, stable: true, into: &out)
                    try searcher.finish(into: &out)
                    guard queue.waitForTurn(index) else { return }
                    try emit(&out)
                    queue.written(index, selected: searcher.selected)
                } catch {
                    queue.fail(error)
                    return
                }
            }
        }
    }
}
