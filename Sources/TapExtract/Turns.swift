// Turns (bench/anchors/README.md, "turns"): per session, a prompt flow opens a turn, the
// agent's following flows join it until one makes it idle (the user interrupted, or a
// complete flow that started no tool call). Retries and errors do not end a turn.

import TapCodec

public final class Turn {
    public let promptFlow: FlowState
    public var flows: [FlowState]
    public var idleFlow: FlowState?

    init(_ flow: FlowState) {
        promptFlow = flow
        flows = [flow]
    }

    public var isIdle: Bool { idleFlow != nil }

    public var tokens: Usage {
        var total = Usage()
        for f in flows { if let u = f.fold.usage { total += u } }
        return total
    }

    /// The last flow of the turn whose streamed text is not empty (extract-pairs' reply).
    public var replyFlow: FlowState? { flows.last { !$0.fold.text.isEmpty } }

    /// True when some flow of the turn has no flow_end (the answer may still grow).
    public var isPartial: Bool { flows.contains { $0.isPartial } }
}

/// Builds the turns from flows in flow order (FlowTable.finish()).
public func buildTurns(_ order: [FlowState]) -> [Turn] {
    var turns: [Turn] = []
    var current: [String?: Turn] = [:]
    for f in order {
        let turn: Turn
        if f.prompt != nil {
            turn = Turn(f)
            turns.append(turn)
            current[f.sessionID] = turn
        } else {
            guard let open = current[f.sessionID], !open.isIdle else { continue }
            open.flows.append(f)
            turn = open
        }
        if f.statusText == "client_abort" || (f.statusText == "complete" && f.fold.toolNames.isEmpty) {
            turn.idleFlow = f
        }
    }
    return turns
}

public enum TurnMode: String, CaseIterable, Sendable {
    case paired, open, all
}

extension Turn {
    public var sortKey: (String, String) { (promptFlow.ts ?? "", promptFlow.flowID) }
}
