#!/usr/bin/env python3
"""Re-check a cycle's hash chain from its audit export, with the standard library only.

    assess audit CYCLE --format json > audit.json
    python3 verify_chain.py audit.json [EXPECTED_HEAD] [--files DIR]

Prints the head and exits 0 if every event links to the one before; otherwise names
the first position that fails and exits 1. With `--files DIR` (the `files/` folder of an
`assess export` archive, each file named by its SHA-256), every evidence file an event
attaches must be there and hash to its recorded digest. See docs/verification.md.
"""

import hashlib
import json
import os
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


def missing_or_changed(record: dict, folder: str) -> str | None:
    """The first attached file of the event not in `folder` or not hashing to its digest."""
    for entry in record["data"].get("attachments", []):
        path = os.path.join(folder, entry["sha256"])
        if not os.path.isfile(path):
            return f"{entry['name']} ({entry['sha256']}) is missing"
        with open(path, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != entry["sha256"]:
                return f"{entry['name']} ({entry['sha256']}) does not hash to its digest"
    return None


def main() -> int:
    args = sys.argv[1:]
    folder = None
    if "--files" in args:
        at = args.index("--files")
        folder = args[at + 1]
        del args[at : at + 2]
    with open(args[0], encoding="utf-8-sig") as handle:
        records = json.load(handle)
    previous = GENESIS
    for expected_position, record in enumerate(records, start=1):
        if record["position"] != expected_position:
            print(f"event {expected_position} is missing")
            return 1
        if chain_hash(record, previous) != record["chain"]:
            print(f"event {expected_position} does not match its hash")
            return 1
        problem = missing_or_changed(record, folder) if folder else None
        if problem:
            print(f"event {expected_position} attaches {problem}")
            return 1
        previous = record["chain"]
    print(f"{len(records)} events, head {previous}")
    if len(args) > 1 and args[1] != previous:
        print(f"head differs from the expected {args[1]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
