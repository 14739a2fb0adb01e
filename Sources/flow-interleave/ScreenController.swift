// The screen controller: which card is on screen, and when it gives way to another. A pure
// state machine driven by (event, now); it never reads a clock, so a saved log replayed with
// `--clock recorded` renders the same way every time.
//
// One card is open at a time; what other flows stream meanwhile waits in their cards. The rules
// (man page, SCREEN CONTROLLER):
// - The open card stays while it streams: a record of its flow within the flush interval.
// - Once it is idle for the flush interval it may give way. A waiting card of the same session
//   may take over at once; a card of another session only after waiting the session guard
//   (so a newcomer never makes the screen jump while the current session is talking).
// - When the open card reaches DONE or DEAD it is closed with its status line and the screen is free.
// - Among waiting cards: STREAMING before DONE before DEAD, then the session last shown, then the
//   one waiting longest.
// - A card that goes without any record for `deadAfter` becomes DEAD.
// - Cards that are DONE or DEAD, closed and with nothing waiting are evicted (a small summary is
//   kept for late records), so memory stays flat over a day of flows.

import TapCodec

/// What the screen does, in order. The renderer turns these into text or records.
enum ScreenAction {
    case open(CardInfo, CardState, continued: Bool, at: Timestamp)
    /// Content of the open card, with the card's state at that moment.
    case show(flowID: String, CardItem, CardState)
    case close(CardInfo, CardState, at: Timestamp)
    /// The card is gone from memory (renderer state for it can go too).
    case evict(flowID: String)
}

struct ScreenPolicy {
    /// How long the open card must be idle before another may take the screen.
    var flushInterval: Int64 = 500_000
    /// How long a card of another session waits before it may take the screen.
    var sessionGuard: Int64 = 2_000_000
    /// No record for this long: DEAD (nil: never).
    var deadAfter: Int64? = 30_000_000
}

struct ScreenController {
    let policy: ScreenPolicy
    private(set) var cards: [String: Card] = [:]
    /// The open card.
    private(set) var current: String?
    /// Session of the card shown last (tie-break: stay with the session).
    private(set) var lastSession: String?
    /// The controller's time: never goes back.
    private(set) var clock = Timestamp(microseconds: .min)
    /// Evicted cards, oldest first, bounded.
    private var evicted: [String: CardSummary] = [:]
    private var evictionOrder: [String] = []
    private var evictionHead = 0
    static let summaryLimit = 4096

    init(policy: ScreenPolicy) { self.policy = policy }

    var openCardCount: Int { cards.count }

    // MARK: - Events

    /// Creates the card when new and notes activity. A flow whose card was evicted comes back
    /// only when `revive` (it has something to show); otherwise this returns false and the
    /// caller treats the record as a late one (`state(of:)` still knows how the flow ended).
    @discardableResult
    mutating func touch(
        _ flowID: String,
        info makeInfo: () -> CardInfo,
        now: Timestamp,
        revive: Bool,
        out: inout [ScreenAction]
    ) -> Bool {
        advance(to: now, out: &out)
        // One hash for the usual case: the card is there.
        if let index = cards.index(forKey: flowID) {
            cards.values[index].lastActivity = clock
            return true
        }
        if let summary = evicted[flowID] {
            guard revive else { return false }
            evicted.removeValue(forKey: flowID)
            var card = Card(info: summary.info, now: clock)
            card.state = summary.state
            card.shownBefore = true
            card.terminal = summary.terminal
            cards[flowID] = card
        } else {
            var info = makeInfo()
            info.startedAt = clock
            cards[flowID] = Card(info: info, now: clock)
        }
        return true
    }

    /// True when the flow has a card now (live or evicted summary).
    func knows(_ flowID: String) -> Bool { cards[flowID] != nil || evicted[flowID] != nil }

    /// The state of a flow's card (live or evicted).
    func state(of flowID: String) -> CardState? { cards[flowID]?.state ?? evicted[flowID]?.state }

    /// The flow a telemetry event of `session` joins: its newest STREAMING card, else the card
    /// of its most recently started flow (live or evicted; ties by flow id).
    func flow(ofSession session: String) -> String? {
        var best: (streaming: Int, started: Int64, id: String)?
        func consider(_ id: String, _ info: CardInfo, _ state: CardState) {
            let candidate = (state == .streaming ? 1 : 0, info.startedAt.microseconds, id)
            if let b = best, candidate <= b { return }
            best = candidate
        }
        for (id, card) in cards where card.info.sessionID == session { consider(id, card.info, card.state) }
        for (id, summary) in evicted where summary.info.sessionID == session {
            consider(id, summary.info, summary.state)
        }
        return best?.id
    }

    /// Adds a note from outside the flow (telemetry) to its card without counting as the
    /// flow's activity or reviving it: shown now if open, else it waits; an evicted card comes
    /// back (its header says "continued") to show it. False when the flow is forgotten.
    mutating func annotate(_ flowID: String, _ item: CardItem, now: Timestamp, out: inout [ScreenAction]) -> Bool {
        advance(to: now, out: &out)
        if cards[flowID] == nil {
            guard let summary = evicted.removeValue(forKey: flowID) else { return false }
            var card = Card(info: summary.info, now: clock)
            card.state = summary.state
            card.shownBefore = true
            card.terminal = summary.terminal
            cards[flowID] = card
        }
        guard let index = cards.index(forKey: flowID) else { return false }
        append(item, to: flowID, at: index, out: &out)
        schedule(out: &out)
        return true
    }

    /// Changes facts shown in the header or status line (model, tokens).
    mutating func update(_ flowID: String, _ body: (inout CardInfo) -> Void) {
        guard var info = cards[flowID]?.info else { return }
        body(&info)
        cards[flowID]?.info = info
    }

    /// Adds content to a card: shown now if it is open, else it waits. A DEAD card that was not
    /// aborted comes back to STREAMING when its flow speaks again.
    mutating func add(_ flowID: String, _ item: CardItem, out: inout [ScreenAction]) {
        guard let index = cards.index(forKey: flowID) else { return }
        let card = cards.values[index].peek()
        if card.state == .dead, !card.terminal { cards.values[index].revive() }
        append(item, to: flowID, at: index, out: &out)
        schedule(out: &out)
    }

    private mutating func append(_ item: CardItem, to flowID: String, out: inout [ScreenAction]) {
        guard let index = cards.index(forKey: flowID) else { return }
        append(item, to: flowID, at: index, out: &out)
    }

    /// `index`: the card's place in `cards` (found once by the caller).
    private mutating func append(
        _ item: CardItem,
        to flowID: String,
        at index: Dictionary<String, Card>.Index,
        out: inout [ScreenAction]
    ) {
        let state = cards.values[index].peek().state
        if current == flowID {
            out.append(.show(flowID: flowID, item, state))
        } else {
            // In place: a copy of the card would copy its pending list on every append.
            cards.values[index].wait(item, now: clock)
        }
    }

    /// The flow ended: DONE, or DEAD with a reason (aborted, errored); no revival after this.
    /// `item` (the record or message that ended it) is shown with the new state, before the
    /// status line.
    mutating func end(
        _ flowID: String,
        state: CardState,
        reason: String?,
        with item: CardItem? = nil,
        out: inout [ScreenAction]
    ) {
        guard let before = cards[flowID]?.state, let terminal = cards[flowID]?.terminal else { return }
        let wasLive = before == .streaming || (before == .dead && !terminal)
        if wasLive { cards[flowID]?.finish(state, reason: reason, at: clock) }
        if let item { append(item, to: flowID, out: &out) }
        if wasLive { finalize(flowID, out: &out) } else { schedule(out: &out) }
    }

    /// Time passes (a tick, or the timestamp of the next record). Every deadline up to `now` is
    /// handled at its own time, in order, so the outcome does not depend on how often ticks come.
    mutating func advance(to now: Timestamp, out: inout [ScreenAction]) {
        if clock.microseconds == .min { clock = now }
        while let deadline = nextDeadline(), deadline <= now {
            clock = max(clock, deadline)
            expire(out: &out)
            schedule(out: &out)
        }
        clock = max(clock, now)
        expire(out: &out)
        schedule(out: &out)
    }

    /// End of input: close the open card, then show every waiting card, best first.
    mutating func finish(out: inout [ScreenAction]) {
        if let open = current { close(open, out: &out) }
        while let next = bestCandidate(allowGuarded: true) { show(next, out: &out) }
    }

    // MARK: - Scheduling

    /// Marks DEAD the cards whose flows went quiet for `deadAfter`.
    private mutating func expire(out: inout [ScreenAction]) {
        guard let deadAfter = policy.deadAfter else { return }
        var quiet: [String] = []  // allocates only when a card died
        for (id, card) in cards
        where card.state == .streaming && clock.microseconds - card.lastActivity.microseconds >= deadAfter {
            quiet.append(id)
        }
        for id in quiet.sorted() {
            cards[id]?.finish(.dead, reason: "no data for \(formatSeconds(deadAfter))", at: clock)
            cards[id]?.terminal = false  // it may still speak again
            finalize(id, out: &out)
        }
    }

    /// A card reached DONE/DEAD: close it if open, else queue its status line.
    private mutating func finalize(_ flowID: String, out: inout [ScreenAction]) {
        if current == flowID {
            close(flowID, out: &out)
        } else {
            // Its status line waits its turn (after what it still has to show).
            cards[flowID]?.wait(.final, now: clock)
        }
        schedule(out: &out)
    }

    /// Decides whether the screen changes now.
    private mutating func schedule(out: inout [ScreenAction]) {
        while true {
            if let open = current, let index = cards.index(forKey: open) {
                // The open card keeps the screen while it streams.
                let lastActivity = cards.values[index].peek().lastActivity
                if clock.microseconds - lastActivity.microseconds < policy.flushInterval { return }
                guard let next = bestCandidate(allowGuarded: false) else { return }
                close(open, out: &out)
                show(next, out: &out)
            } else {
                guard let next = bestCandidate(allowGuarded: true) else { return }
                show(next, out: &out)
            }
        }
    }

    /// Opens a card and shows what waits in it; a finished card closes right away.
    private mutating func show(_ flowID: String, out: inout [ScreenAction]) {
        guard let card = cards[flowID] else { return }
        out.append(.open(card.info, card.state, continued: card.shownBefore, at: clock))
        lastSession = card.info.sessionID
        let items = cards[flowID]?.takePending() ?? []
        current = flowID
        var finished = false
        for item in items {
            if case .final = item {
                finished = true
            } else {
                out.append(.show(flowID: flowID, item, card.state))
            }
        }
        if finished || card.state != .streaming { close(flowID, out: &out) }
    }

    /// Closes the open card with its status line; evicts it when it is finished.
    private mutating func close(_ flowID: String, out: inout [ScreenAction]) {
        guard let card = cards[flowID] else { return }
        out.append(.close(card.info, card.state, at: clock))
        current = nil
        if card.state != .streaming, card.pending.isEmpty { evict(flowID, out: &out) }
    }

    private mutating func evict(_ flowID: String, out: inout [ScreenAction]) {
        guard let card = cards.removeValue(forKey: flowID) else { return }
        out.append(.evict(flowID: flowID))
        evicted[flowID] = CardSummary(info: card.info, state: card.state, terminal: card.terminal)
        evictionOrder.append(flowID)
        if evicted.count > Self.summaryLimit {
            // Forget the oldest summaries; compact the order list now and then.
            while evicted.count > Self.summaryLimit, evictionHead < evictionOrder.count {
                evicted.removeValue(forKey: evictionOrder[evictionHead])
                evictionHead += 1
            }
        }
        if evictionHead > Self.summaryLimit {
            evictionOrder.removeFirst(evictionHead)
            evictionHead = 0
        }
    }

    /// The card that should be shown next, if any may be shown now.
    private func bestCandidate(allowGuarded: Bool) -> String? {
        var best: (id: String, card: Card)?
        for (id, card) in cards where !card.pending.isEmpty && id != current {
            if !allowGuarded, !mayTakeOver(card) { continue }
            if let b = best, !isBetter(card, id, than: b.card, b.id) { continue }
            best = (id, card)
        }
        return best?.id
    }

    private func mayTakeOver(_ card: Card) -> Bool {
        guard let since = card.waitingSince else { return false }
        return card.info.sessionID == lastSession || clock.microseconds - since.microseconds >= policy.sessionGuard
    }

    private func isBetter(_ a: Card, _ aID: String, than b: Card, _ bID: String) -> Bool {
        if a.state != b.state { return a.state < b.state }
        let aSame = a.info.sessionID == lastSession
        let bSame = b.info.sessionID == lastSession
        if aSame != bSame { return aSame }
        let aSince = a.waitingSince?.microseconds ?? .max
        let bSince = b.waitingSince?.microseconds ?? .max
        if aSince != bSince { return aSince < bSince }
        return aID < bID
    }

    /// The next time something changes by itself: a card dies, or a waiting card may take over.
    private func nextDeadline() -> Timestamp? {
        var next = Int64.max
        if let deadAfter = policy.deadAfter {
            for card in cards.values where card.state == .streaming {
                next = min(next, card.lastActivity.microseconds + deadAfter)
            }
        }
        if let open = current, let card = cards[open] {
            let idleAt = card.lastActivity.microseconds + policy.flushInterval
            for (id, waiting) in cards where id != open && !waiting.pending.isEmpty {
                guard let since = waiting.waitingSince?.microseconds else { continue }
                let allowedAt = waiting.info.sessionID == lastSession ? since : since + policy.sessionGuard
                next = min(next, max(idleAt, allowedAt))
            }
        }
        guard next != .max, next > clock.microseconds else { return nil }
        return Timestamp(microseconds: next)
    }
}

/// `2 s`, `0.5 s`, `30 s`.
func formatSeconds(_ microseconds: Int64) -> String {
    let tenths = (microseconds + 50_000) / 100_000
    return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
}
