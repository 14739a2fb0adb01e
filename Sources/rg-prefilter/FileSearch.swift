// Runs the search over the inputs in order, the way the options ask: lines, counts or names;
// one pass (LineSearcher fed by Input) or, for a big mapped file, ParallelSearch. Errors on one
// input are reported (`rg-prefilter: FILE: message`) and the next input is searched.
import TapCLI
import TapCodec

struct FileSearch {
    let query: Query
    let matcher: LineMatcher
    let invert: Bool
    let mode: LineSearcher.Mode
    let maxCount: Int?
    let follow: Bool
    /// Threads for one big file; 1 searches in one pass.
    let threads: Int
    let output: OutputBuffer

    /// Searches every input (nil: stdin); returns whether a line was selected and whether an input failed.
    func run(_ files: [String?]) throws -> (selected: Bool, failed: Bool) {
        let named = files.count > 1
        var anySelected = false
        var failed = false
        for file in files {
            let name = file ?? "<stdin>"
            let selected: Int
            do {
                selected = try search(file, prefix: named ? Array((name + ":").utf8) : [])
            } catch let error as InputError {
                failed = true
                try output.flush()
                writeStandardError("rg-prefilter: \(error)")
                continue
            } catch let error as PatternError {
                // A runtime limit of PCRE2 (backtracking) on some line: say where, go on with the next file.
                failed = true
                try output.flush()
                writeStandardError("rg-prefilter: \(name): \(error.message)")
                continue
            }
            anySelected = anySelected || selected > 0
            if mode == .firstOnly, selected > 0 { output.append(name + "\n") }
            if mode == .count, selected > 0 { output.append((named ? name + ":" : "") + "\(selected)\n") }
            try output.recordDone()
        }
        try output.flush()
        return (anySelected, failed)
    }

    /// Searches one input; returns the number of selected lines.
    private func search(_ file: String?, prefix: [UInt8]) throws -> Int {
        guard maxCount != 0 else { return 0 }
        var searcher = LineSearcher(matcher: matcher, invert: invert, mode: mode, maxCount: maxCount, prefix: prefix)
        var selectedInParallel = 0
        let output = self.output
        let whole = parallelSearch(prefix: prefix) { selectedInParallel = $0 }
        let flush = { try output.flush() }
        var list = WriteList()
        try Input.blocks(path: file, follow: follow, idle: flush, whole: whole) { block, stable in
            if stable, mode == .lines {
                // A mapped file: long lines are written from the mapping, one writev per slice.
                try searcher.feed(block, stable: true, into: &list)
                if !list.isEmpty {
                    try output.flush()
                    try list.write(to: output.fd)
                }
            } else {
                try searcher.feed(block, into: &output.bytes)
                try output.recordDone()
            }
            return !searcher.isDone
        }
        try searcher.finish(into: &output.bytes)
        return searcher.selected + selectedInParallel
    }

    /// The handler that searches a big mapped file on several threads, or nil where the search must
    /// stay in one pass (-m and -l stop at a line, --follow waits at the end; one thread); files
    /// under ParallelSearch.minimumSize decline it.
    private func parallelSearch(
        prefix: [UInt8],
        selected: @escaping (Int) -> Void
    ) -> ((UnsafeRawBufferPointer) throws -> Bool)? {
        guard mode != .firstOnly, maxCount == nil, !follow, threads > 1 else { return nil }
        let (query, invert, mode, threads, output) = (query, invert, mode, threads, output)
        return { whole in
            guard whole.count >= ParallelSearch.minimumSize else { return false }
            try output.flush()  // what earlier files printed goes first
            selected(
                try ParallelSearch.run(
                    whole,
                    workers: threads,
                    makeMatcher: { try query.matcher() },
                    makeSearcher: { LineSearcher(matcher: $0, invert: invert, mode: mode, prefix: prefix) },
                    emit: { list in
                        // On a worker, in its turn (the caller's thread only waits): one writev per
                        // segment, long lines straight from the mapping.
                        try list.write(to: output.fd)
                    }
                )
            )
            return true
        }
    }
}
