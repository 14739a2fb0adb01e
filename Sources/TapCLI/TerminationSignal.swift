// The long-running servers (sse-capture, otel-capture) run until SIGINT or SIGTERM, then close
// their listeners and flush their logs. One place for the wait, so both stop the same way.

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum TerminationSignal {
    /// Blocks until SIGINT or SIGTERM arrives (the default actions are turned off first, so the
    /// caller, not the signal, ends the process).
    public static func wait() {
        let done = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        // The sources must outlive the wait: `_ = sources` afterwards does not keep them alive in
        // a release build, and SIGTERM (ignored above) would then never stop the server.
        withExtendedLifetime(sources) { done.wait() }
    }
}
