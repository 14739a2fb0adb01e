// A card is what flow-interleave shows for one flow (one HTTP exchange): a header (session,
// provider, model), the user prompt, then what the model streams, and a status line. This file
// holds the card's data; when content is shown is decided by `ScreenController`, how it looks
// by `CardRenderer`.

import TapCodec

/// The life of a card (DESIGN §2): deltas arriving, finished, or given up on.
enum CardState: String, Comparable {
    case streaming = "STREAMING"
    case done = "DONE"
    case dead = "DEAD"

    /// Screen priority: STREAMING before DONE before DEAD.
    var rank: Int {
        switch self {
        case .streaming: return 0
        case .done: return 1
        case .dead: return 2
        }
    }

    static func < (a: CardState, b: CardState) -> Bool { a.rank < b.rank }

    /// The tag written on records in `--format ndjson`.
    var tag: String { rawValue.lowercased() }
}

/// What a piece of card content is; decides its label and colour.
enum ContentRole: Equatable {
    case user
    case assistant
    case reasoning
    /// Tool-call arguments (JSON text cut anywhere); the name comes from the block start.
    case toolArgs
    case toolResult
    case usage
    case error
}

/// One thing a card shows, in arrival order.
enum CardItem {
    /// Text of a role; `index` is the provider's block index (a new block starts a new line).
    case content(role: ContentRole, index: Int, text: String)
    /// A tool call begins: its name (arguments follow as `.content(.toolArgs, …)`).
    case toolStart(index: Int, name: String)
    /// A line from the agent's own telemetry (a tool decision or result, TelemetryJoin.swift).
    case telemetry(String)
    /// An input record, shown as itself (`--format ndjson`); no text.
    case record([UInt8])
    /// The card reached DONE or DEAD: the status line is due.
    case final
}

/// Facts about a flow that the header and status line show.
struct CardInfo {
    var flowID: String
    var sessionID: String
    var provider: String
    var model: String?
    /// When the card was first seen (clock of the controller).
    var startedAt: Timestamp
    /// When it reached DONE or DEAD.
    var endedAt: Timestamp?
    /// flow_end status or the reason it died (`client_abort`, `no data for 30 s`, an error type).
    var reason: String?
    /// The prompt came from the flow record (or the WebSocket request): `user_prompt` deltas
    /// would repeat it.
    var promptFromFlow = false
    var inputTokens: Int64?
    var outputTokens: Int64?
}

struct Card {
    var info: CardInfo
    var state: CardState = .streaming
    /// The last record of this flow (any record: a ping proves the stream alive).
    var lastActivity: Timestamp
    /// Content not yet on screen.
    var pending: [CardItem] = []
    /// Since when it has content waiting for the screen (nil when nothing waits).
    var waitingSince: Timestamp?
    /// Whether its header was printed before (a later opening says "continued").
    var shownBefore = false
    /// Aborted or errored: not revived by later records.
    var terminal = false

    init(info: CardInfo, now: Timestamp) {
        self.info = info
        lastActivity = now
    }

    /// The small fields the controller checks on every record, read in place: called on
    /// `cards.values[i]` this goes through the dictionary's modify accessor, where its getter
    /// would copy the whole card (strings, pending list) to read one field.
    mutating func peek() -> (state: CardState, terminal: Bool, lastActivity: Timestamp) {
        (state, terminal, lastActivity)
    }

    /// Queues content for the screen.
    mutating func wait(_ item: CardItem, now: Timestamp) {
        if pending.isEmpty { waitingSince = now }
        pending.append(item)
    }

    /// Hands out what waits, for the screen; marks the card as shown.
    mutating func takePending() -> [CardItem] {
        let items = pending
        pending = []
        waitingSince = nil
        shownBefore = true
        return items
    }

    /// DONE or DEAD from now on.
    mutating func finish(_ state: CardState, reason: String?, at now: Timestamp) {
        self.state = state
        terminal = true
        info.endedAt = now
        if let reason { info.reason = reason }
    }

    /// A DEAD (quiet, not aborted) card whose flow speaks again.
    mutating func revive() {
        state = .streaming
        info.endedAt = nil
        info.reason = nil
    }
}

/// What stays of an evicted card, so late records of its flow keep their session and state.
struct CardSummary {
    var info: CardInfo
    var state: CardState
    var terminal: Bool
}
