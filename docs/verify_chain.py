#!/usr/bin/env python3
"""Re-check a cycle's hash chain from its audit export, with the standard library only.

    assess audit CYCLE --format json > audit.json
    python3 verify_chain.py audit.json [EXPECTED_HEAD]

Prints the head and exits 0 if every event links to the one before; otherwise names
the first position that fails and exits 1. See docs/verification.md.
"""

import hashlib
import json
import sys

GENESIS = "0" * 64


def chain_hash(record: dict, previous: str) -> str:
    content = {
        "event": record["event"],
        "position": record["position"],
        "recorded": record["recorded"],
        "actor": record["actor"],
        "role": record["role"],
        "at": record["at"],
        "data": record["data"],
        "previous": previous,
    }
    if record.get("account") is not None:  # absent from events stored before accounts
        content["account"] = record["account"]
    if record.get("request") is not None:  # only events of requests with an idempotency key
        content["request"] = record["request"]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> int:
    with open(sys.argv[1], encoding="utf-8-sig") as handle:
        records = json.load(handle)
    previous = GENESIS
    for expected_position, record in enumerate(records, start=1):
        if record["position"] != expected_position:
            print(f"event {expected_position} is missing")
            return 1
        if chain_hash(record, previous) != record["chain"]:
            print(f"event {expected_position} does not match its hash")
            return 1
        previous = record["chain"]
    print(f"{len(records)} events, head {previous}")
    if len(sys.argv) > 2 and sys.argv[2] != previous:
        print(f"head differs from the expected {sys.argv[2]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
