// Searching one mapped file on several cores. ripgrep searches a single file on one thread;
// this is how rg-prefilter gets ahead of it on a big capture log: the mapping is cut at line
// ends into segments, worker threads search them (each with its own LineMatcher, because PCRE2
// match data and JIT stacks are per thread), and the calling thread writes each segment's
// output in file order. A window bounds how far workers run ahead, so memory stays at a few
// segments' worth of output. Used for plain line and count searches of regular files; -m, -l
// and --follow stay sequential, since they stop or wait at a point in the file.
import Glibc

enum ParallelSearch {
    /// Smaller files are searched in one pass: threads and per-thread matchers would cost more.
    static let minimumSize = 16 << 20

    /// How many threads are worth starting (the online cores, at most 8); 1 means search in line.
    static var workerCount: Int { max(1, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Searches `whole` with `workers` threads; `emit` gets each segment's output in file order.
    /// Returns the number of selected lines. `makeSearcher` runs once per segment, on a worker.
    static func run(
        _ whole: UnsafeRawBufferPointer,
        workers: Int,
        segmentSize: Int = 1 << 20,
        makeMatcher: @escaping @Sendable () throws -> LineMatcher,
        makeSearcher: @escaping @Sendable (LineMatcher) -> LineSearcher,
        emit: (inout [UInt8]) throws -> Void
    ) throws -> Int {
        let queue = SegmentQueue(whole, segmentSize: segmentSize, window: 2 * workers)
        var threads: [pthread_t] = []
        for _ in 0..<workers {
            let worker = Worker(queue: queue, makeMatcher: makeMatcher, makeSearcher: makeSearcher)
            var thread = pthread_t()
            let context = Unmanaged.passRetained(worker).toOpaque()
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
        defer {
            queue.stop()
            for thread in threads { pthread_join(thread, nil) }
        }
        // Without any thread (resources exhausted), search here, one segment at a time: same result.
        let inline = threads.isEmpty ? Worker(queue: queue, makeMatcher: makeMatcher, makeSearcher: makeSearcher) : nil
        var selected = 0
        for index in 0..<queue.segmentCount {
            inline?.run(limit: 1)
            let chunk = queue.waitForResult(index)
            if let error = chunk.error { throw error }
            selected += chunk.selected
            try emit(&chunk.bytes)
            queue.recycle(chunk)
        }
        return selected
    }

    /// One segment's output. A class, so that its buffer has one owner on its way from a worker to
    /// the writer and back (an array in an enum was copied on reuse: fresh pages every time).
    final class Chunk {
        var bytes: [UInt8] = []
        var selected = 0
        var error: (any Error)?
    }

    /// The shared state: segment bounds, the next segment to take, results not yet written.
    /// Every mutable field is guarded by `mutex` (hence @unchecked Sendable).
    final class SegmentQueue: @unchecked Sendable {
        private let base: UnsafeRawPointer?
        private var bounds: [Int] = [0]
        private var next = 0
        private var written = 0
        private var stopped = false
        private var results: [Chunk?]
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
            results = Array(repeating: nil, count: bounds.count - 1)
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

        /// The next segment to search, waiting while the writer is a window behind; nil at the end.
        func take() -> (Int, UnsafeRawBufferPointer)? {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while !stopped, next < segmentCount, next >= written + window { pthread_cond_wait(changed, mutex) }
            guard !stopped, next < segmentCount else { return nil }
            let index = next
            next += 1
            let segment = UnsafeRawBufferPointer(
                start: base.map { $0 + bounds[index] },
                count: bounds[index + 1] - bounds[index]
            )
            return (index, segment)
        }

        func finish(_ index: Int, _ result: Chunk) {
            pthread_mutex_lock(mutex)
            results[index] = result
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }

        /// Waits for segment `index`, hands its result over and lets the workers move on.
        func waitForResult(_ index: Int) -> Chunk {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while results[index] == nil { pthread_cond_wait(changed, mutex) }
            let result = results[index] ?? Chunk()
            results[index] = nil
            written = index + 1
            pthread_cond_broadcast(changed)
            return result
        }

        /// Output buffers already written, kept for the next segments: fresh 4 MB buffers would
        /// cost a page fault and a zeroed page every 4 KiB of output.
        private var spare: [Chunk] = []

        func recycle(_ chunk: Chunk) {
            pthread_mutex_lock(mutex)
            spare.append(chunk)
            pthread_mutex_unlock(mutex)
        }

        /// An empty chunk, with the capacity of one already written when there is one.
        func emptyChunk() -> Chunk {
            pthread_mutex_lock(mutex)
            let chunk = spare.popLast() ?? Chunk()
            pthread_mutex_unlock(mutex)
            chunk.bytes.removeAll(keepingCapacity: true)
            chunk.selected = 0
            chunk.error = nil
            return chunk
        }

        /// No more segments are handed out (the writer failed, or everything is written).
        func stop() {
            pthread_mutex_lock(mutex)
            stopped = true
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
    }

    final class Worker {
        let queue: SegmentQueue
        let makeMatcher: @Sendable () throws -> LineMatcher
        let makeSearcher: @Sendable (LineMatcher) -> LineSearcher

        init(
            queue: SegmentQueue,
            makeMatcher: @escaping @Sendable () throws -> LineMatcher,
            makeSearcher: @escaping @Sendable (LineMatcher) -> LineSearcher
        ) {
            self.queue = queue
            self.makeMatcher = makeMatcher
            self.makeSearcher = makeSearcher
        }

        private var matcher: LineMatcher?

        /// Searches segments until there are none left (or `limit` of them).
        func run(limit: Int = .max) {
            var taken = 0
            while taken < limit, let (index, segment) = queue.take() {
                taken += 1
                let chunk = queue.emptyChunk()
                do {
                    let current = try matcher ?? makeMatcher()
                    matcher = current
                    var searcher = makeSearcher(current)
                    try searcher.feed(segment, into: &chunk.bytes)
                    try searcher.finish(into: &chunk.bytes)
                    chunk.selected = searcher.selected
                } catch {
                    chunk.error = error
                }
                queue.finish(index, chunk)
            }
        }
    }
}
