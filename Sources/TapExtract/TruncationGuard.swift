// A mapped file that another process truncates while we read it (logrotate's copytruncate, a
// capture restarted over its log) raises SIGBUS at the next page we touch past the new end; no
// check before the access can rule that out, and Swift cannot unwind out of a signal handler.
// TapCodec's LineReader maps window by window under its own guard (CTapSIMD/mapped_window.h:
// zero pages over the cut window, and the input ends early, as a read(2) loop would); the
// prefiltered scan maps the whole file and reads it on several threads (it is what makes
// extract-usage and extract-turns fast), so it turns that signal into the tools' usual error:
// one line on stderr and exit status 2, instead of a core dump. Installed with signal(), this
// handler replaces one LineReader installed earlier in the same process: a truncation under a
// LineReader window then ends the tool with this error instead of ending that input early.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The message the SIGBUS handler writes, prepared before the handler can run (the handler
/// itself only calls write(2) and _exit(2), which are async-signal-safe).
nonisolated(unsafe) private var truncationMessage: UnsafeRawBufferPointer?

enum TruncationGuard {
    /// Installs the handler once per process; `tool` names the tool in the message.
    static func install(tool: String) {
        guard truncationMessage == nil else { return }
        let text = Array("\(tool): an input file was truncated while it was being read; stopping\n".utf8)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: text.count, alignment: 1)
        storage.copyBytes(from: text)
        truncationMessage = UnsafeRawBufferPointer(storage)
        signal(SIGBUS) { _ in
            if let message = truncationMessage { _ = write(2, message.baseAddress, message.count) }
            _exit(2)
        }
    }
}
