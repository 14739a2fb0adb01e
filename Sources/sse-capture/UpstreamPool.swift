// Idle keep-alive upstream connections, reused by later exchanges to the same (scheme, host, port):
// an agent's next request skips the TCP connect and the TLS handshake to the API.
//
// One pool per event loop: an exchange's upstream lives on its client's event loop (the two sides
// call each other directly), so a pooled connection is only handed to an exchange on that loop and
// no lock is needed. Bounded: at most `maxIdlePerKey` idle connections per key and `maxIdle` per
// loop, each closed after `idleTimeout` unused. A parked connection keeps reading, so an upstream
// that closes it (its own keep-alive timeout) is noticed and dropped before anyone reuses it.
import NIOCore
import Synchronization

/// Which upstream connections are interchangeable.
struct PoolKey: Hashable {
    let tls: Bool
    let host: String
    let port: Int

    init(_ upstream: Upstream) {
        tls = upstream.tls
        host = upstream.host.lowercased()
        port = upstream.port
    }
}

/// The process's pools, one per event loop, made on first use.
final class UpstreamPools: Sendable {
    private let pools = Mutex<[ObjectIdentifier: NIOLoopBound<UpstreamPool>]>([:])

    /// The pool of `loop`; call on `loop`.
    func pool(on loop: EventLoop, idleTimeout: TimeAmount) -> UpstreamPool {
        let id = ObjectIdentifier(loop)
        let bound = pools.withLock { map in
            if let bound = map[id] { return bound }
            let bound = NIOLoopBound(UpstreamPool(loop: loop, idleTimeout: idleTimeout), eventLoop: loop)
            map[id] = bound
            return bound
        }
        return bound.value
    }
}

/// The idle upstream connections of one event loop. Used only on that loop.
final class UpstreamPool {
    static let maxIdlePerKey = 8
    static let maxIdle = 64

    private struct Parked {
        let channel: Channel
        let handler: UpstreamHandler
        let expiry: Scheduled<Void>
    }

    private let loop: EventLoop
    /// How long a connection may sit unused; zero turns pooling off.
    let idleTimeout: TimeAmount
    private var parked: [PoolKey: [Parked]] = [:]
    private(set) var idleCount = 0

    init(loop: EventLoop, idleTimeout: TimeAmount) {
        self.loop = loop
        self.idleTimeout = idleTimeout
    }

    /// The most recently parked live connection for `key`, taken out of the pool.
    func checkout(_ key: PoolKey) -> (Channel, UpstreamHandler)? {
        while var list = parked[key], let entry = list.popLast() {
            parked[key] = list.isEmpty ? nil : list
            idleCount -= 1
            entry.expiry.cancel()
            entry.handler.unpark()
            if entry.channel.isActive { return (entry.channel, entry.handler) }
            entry.channel.close(promise: nil)
        }
        return nil
    }

    /// Parks a connection whose last response was read to its end; false when it cannot be kept
    /// (pooling off, pool full, connection gone): the caller closes it.
    func checkin(_ channel: Channel, handler: UpstreamHandler, key: PoolKey) -> Bool {
        guard idleTimeout > .zero, channel.isActive, idleCount < Self.maxIdle,
            parked[key, default: []].count < Self.maxIdlePerKey
        else { return false }
        let expiry = loop.assumeIsolated().scheduleTask(in: idleTimeout) { [weak self] in
            self?.remove(channel, key: key)
            channel.close(promise: nil)
        }
        parked[key, default: []].append(Parked(channel: channel, handler: handler, expiry: expiry))
        idleCount += 1
        handler.park(in: self, key: key)
        return true
    }

    /// A parked connection closed or misbehaved: forget it.
    func remove(_ channel: Channel, key: PoolKey) {
        guard var list = parked[key], let index = list.firstIndex(where: { $0.channel === channel }) else { return }
        list[index].expiry.cancel()
        list.remove(at: index)
        parked[key] = list.isEmpty ? nil : list
        idleCount -= 1
    }
}
