// The search state machine: fed blocks of bytes in any cut, it selects whole lines with a
// `LineMatcher` and appends what to print to the caller's buffer. No I/O inside (DESIGN §3):
// the command reads (mmap or big reads) and writes (one write per filled buffer).
//
// A block is searched as a whole (candidate scan over the buffer, DESIGN §7); only a line cut by
// the end of a block is carried, so a 50 MB line costs one copy and output never depends on the cut.

struct LineSearcher {
    enum Mode {
        /// Print the selected lines, unchanged (a missing final newline is added, like rg and grep).
        case lines
        /// Only count them (`-c`); the command prints the count.
        case count
        /// Stop at the first one (`-l`).
        case firstOnly
    }

    let matcher: LineMatcher
    let invert: Bool
    let mode: Mode
    /// Stop after this many selected lines (`-m`).
    let maxCount: Int?
    /// Written before every printed line (`FILE:` when several files are searched).
    let prefix: [UInt8]

    /// Lines selected so far.
    private(set) var selected = 0
    /// The start of a line cut by the end of the previous block.
    private var carry: [UInt8] = []

    init(matcher: LineMatcher, invert: Bool = false, mode: Mode = .lines, maxCount: Int? = nil, prefix: [UInt8] = []) {
        self.matcher = matcher
        self.invert = invert
        self.mode = mode
        self.maxCount = maxCount
        self.prefix = prefix
    }

    /// True once nothing more can be selected (`-m` reached, or `-l` found one): stop reading.
    var isDone: Bool {
        if mode == .firstOnly { return selected > 0 }
        if let maxCount { return selected >= maxCount }
        return false
    }

    /// `stable`: the chunk's bytes stay valid after the call (a mapped file), so `out` may keep them
    /// by reference; a line cut by the chunk's end is copied either way.
    mutating func feed<Sink: LineSink>(
        _ chunk: UnsafeRawBufferPointer,
        stable: Bool = false,
        into out: inout Sink
    )
        throws
    {
        guard !isDone, chunk.count > 0 else { return }
        var rest = chunk
        if !carry.isEmpty {
            guard let newline = indexOfNewline(in: chunk, 0..<chunk.count) else {
                carry.append(contentsOf: chunk)
                return
            }
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0...newline]))
            let line = carry
            carry = []
            try line.withUnsafeBytes { try search($0, stable: false, into: &out) }
            rest = UnsafeRawBufferPointer(rebasing: chunk[(newline + 1)...])
        }
        guard let lastNewline = lastNewline(in: rest, 0..<rest.count) else {
            carry.append(contentsOf: rest)
            return
        }
        try search(UnsafeRawBufferPointer(rebasing: rest[0...lastNewline]), stable: stable, into: &out)
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[(lastNewline + 1)...]))
    }

    /// Searches the last line when the input did not end with a newline.
    mutating func finish<Sink: LineSink>(into out: inout Sink) throws {
        guard !carry.isEmpty else { return }
        let line = carry
        carry = []
        if !isDone { try line.withUnsafeBytes { try search($0, stable: false, into: &out) } }
    }

    /// Searches whole lines (the last one may lack its newline).
    private mutating func search<Sink: LineSink>(
        _ block: UnsafeRawBufferPointer,
        stable: Bool,
        into out: inout Sink
    )
        throws
    {
        var position = 0
        while position < block.count, !isDone {
            let match = try matcher.nextMatchingLine(in: block, from: position)
            if !invert {
                guard let line = match else { return }
                select(block, line, stable: stable, into: &out)
                position = line.upperBound + 1
            } else {
                let end = match?.lowerBound ?? block.count
                selectEach(block, position..<end, stable: stable, into: &out)
                position = match.map { $0.upperBound + 1 } ?? block.count
            }
        }
    }

    /// Selects every line in `range` (whole lines of `block`): the `-v` path.
    private mutating func selectEach<Sink: LineSink>(
        _ block: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        stable: Bool,
        into out: inout Sink
    ) {
        if mode == .lines, prefix.isEmpty, maxCount == nil, !range.isEmpty {
            // Fast path: the lines between two matches go out as one stretch.
            out.append(UnsafeRawBufferPointer(rebasing: block[range]), stable: stable)
            if block[range.upperBound - 1] != 0x0A { out.append(0x0A) }
            var position = range.lowerBound
            while position < range.upperBound {
                selected += 1
                position = (indexOfNewline(in: block, position..<range.upperBound) ?? range.upperBound) + 1
            }
            return
        }
        var position = range.lowerBound
        while position < range.upperBound, !isDone {
            let end = indexOfNewline(in: block, position..<range.upperBound) ?? range.upperBound
            select(block, position..<end, stable: stable, into: &out)
            position = end + 1
        }
    }

    /// Selects one line (`line` excludes its newline).
    private mutating func select<Sink: LineSink>(
        _ block: UnsafeRawBufferPointer,
        _ line: Range<Int>,
        stable: Bool,
        into out: inout Sink
    ) {
        selected += 1
        guard mode == .lines else { return }
        if !prefix.isEmpty { prefix.withUnsafeBytes { out.append($0, stable: false) } }
        if line.upperBound < block.count {
            // The line and its own newline, as one stretch of the block.
            out.append(UnsafeRawBufferPointer(rebasing: block[line.lowerBound...line.upperBound]), stable: stable)
        } else {
            out.append(UnsafeRawBufferPointer(rebasing: block[line]), stable: stable)
            out.append(0x0A)
        }
    }
}
