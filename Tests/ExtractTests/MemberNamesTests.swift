// JSONScanner.forEachField (several members in one pass, extract-usage's readers) gives what
// `field` gives for each name: the first member of a name wins, escaped spellings of a key
// match, absent names are not reported, non-objects have none; and stringHasPrefix decodes
// only when it must.

import TapCodec
import TapExtract
import XCTest

final class MemberNamesTests: XCTestCase {
    private let names = MemberNames("type", "flow_id", "data", "ts")

    private func fields(_ text: String) -> [String: String] {
        var found: [String: String] = [:]
        Array(text.utf8).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root() else { return }
            let keys = ["type", "flow_id", "data", "ts"]
            json.forEachField(names, in: root) { i, value in
                XCTAssertNil(found[keys[i]], "\(keys[i]) reported twice")
                found[keys[i]] = String(decoding: json.raw(value), as: UTF8.self)
                // The same span as a lookup of that one name.
                XCTAssertEqual(json.field(keys[i], in: root), value, keys[i])
            }
            for key in keys where found[key] == nil { XCTAssertNil(json.field(key, in: root), key) }
        }
        return found
    }

    func testOnePassGivesWhatFieldGives() {
        XCTAssertEqual(
            fields(#"{"v":1,"type":"sse","flow_id":"f","ts":"t","data":{"type":"inner","ts":2}}"#),
            ["type": #""sse""#, "flow_id": #""f""#, "ts": #""t""#, "data": #"{"type":"inner","ts":2}"#]
        )
        // First member of a name wins; an escaped key is its decoded name; a longer key is not.
        XCTAssertEqual(
            fields(#"{"typ\u0065":1,"type":2,"flow_i\u0064":[3],"flow_idx":4,"da\"ta":5,"ts ":6}"#),
            ["type": "1", "flow_id": "[3]"]
        )
        XCTAssertEqual(fields(#"{}"#), [:])
        XCTAssertEqual(fields(#"["type","ts"]"#), [:])
    }

    func testStringHasPrefixDecodesOnlyWhenItMust() {
        let prefix = Array("response.".utf8)
        for (text, expected) in [
            (#""response.completed""#, true), (#""response.""#, true), (#""respons\u0065.x""#, true),
            (#""response""#, false), (#""respond.""#, false), (#""x\u0072esponse.""#, false), ("12", false),
        ] {
            Array(text.utf8).withUnsafeBytes { raw in
                let json = JSONScanner(raw)
                XCTAssertEqual(json.stringHasPrefix(json.root(), prefix), expected, text)
            }
        }
    }
}
