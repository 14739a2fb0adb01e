#!/usr/bin/env python3
"""Anchor for bench/codec-scan.sh: parse every line with orjson, read `type` and `flow_id`.

    python3 bench/anchors/scan_type_flow.py FILE

This is what a Python tool does before it can decide anything about a record: a full
orjson.loads of the line (which validates it), then two field reads. It prints the number of
records per type and of distinct flow ids, so the work cannot be skipped and the answer can
be compared with a StreamTap tool's counts. Lines that are not JSON objects are counted as bad.
"""
import sys

import orjson


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: scan_type_flow.py FILE", file=sys.stderr)
        return 2
    counts: dict = {}
    flows = set()
    bad = 0
    loads, error = orjson.loads, orjson.JSONDecodeError
    with open(sys.argv[1], "rb") as fh:
        for line in fh:
            try:
                record = loads(line)
            except error:
                bad += 1
                continue
            if not isinstance(record, dict):
                bad += 1
                continue
            kind = record.get("type")
            counts[kind] = counts.get(kind, 0) + 1
            flow_id = record.get("flow_id")
            if flow_id is not None:
                flows.add(flow_id)
    for kind in sorted(counts, key=str):
        print(kind, counts[kind])
    print("flows", len(flows))
    print("bad", bad)
    return 0


if __name__ == "__main__":
    sys.exit(main())
