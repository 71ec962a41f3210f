#!/usr/bin/env python3
"""The `swift test` arguments that select one stage of scripts/test, by the tests' tags.

    test-stages.py LISTING STAGE

LISTING is the test bundle's list of its tests as Swift Testing's JSON event stream writes
it (`--list-tests --event-stream-output-path LISTING --event-stream-version 0`, with
SWT_EXPERIMENTAL_EVENT_STREAM_FIELDS_ENABLED=1 so that each test record carries its own
tags, `_tags`). A test has its own tags and those of every suite around it, as Swift
Testing applies them. Each test goes to the last of these stages whose tag it has:

    ownBrokerNodes, manyConnections, endToEnd, debianPackage, brokerRestart

and to `unit` (the unit and contract tests) when it has none of them. Prints, one a line,
`--filter ^ID$` for each test of STAGE, or for `unit`, `--skip ^ID$` for each test of the
other stages (so that a test without tags can never fall between the stages). Fails when a
stage is empty: the listing carried no tags (a toolchain that does not write `_tags`), or
a tag was renamed.
"""

import json
import sys

STAGES = ["ownBrokerNodes", "manyConnections", "endToEnd", "debianPackage", "brokerRestart"]


def tests(listing):
    """Each test function's id and its tags, its suites' included."""
    records = []
    with open(listing, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("kind") == "test":
                records.append(record["payload"])
    def own(record):
        # `_tags` while the field is experimental; `tags` should it become a stable one.
        return {t.lstrip(".") for t in record.get("_tags", record.get("tags", []))}

    suites = {r["id"]: own(r) for r in records if r["kind"] == "suite"}
    result = {}
    for r in records:
        if r["kind"] != "function":
            continue
        tags = own(r)
        for suite, suite_tags in suites.items():
            if r["id"].startswith(suite + "/"):
                tags |= suite_tags
        result[r["id"]] = tags
    return result


def stage_of(tags):
    for stage in reversed(STAGES):
        if stage in tags:
            return stage
    return "unit"


def regex(test_id):
    """An anchored regular expression matching exactly `test_id`."""
    return "^" + "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in test_id) + "$"


def main():
    listing, wanted = sys.argv[1], sys.argv[2]
    if wanted not in ["unit"] + STAGES:
        sys.exit(f"test-stages: no stage {wanted!r}: unit, {', '.join(STAGES)}")
    by_stage = {stage: [] for stage in ["unit"] + STAGES}
    for test_id, tags in sorted(tests(listing).items()):
        by_stage[stage_of(tags)].append(test_id)
    for stage, ids in by_stage.items():
        if not ids:
            sys.exit(
                f"test-stages: no test is in stage {stage}: does the toolchain write the tests' tags "
                "(`_tags`) in its event stream, and does a test still carry the tag?")
    if wanted == "unit":
        for stage in STAGES:
            for test_id in by_stage[stage]:
                print("--skip")
                print(regex(test_id))
    else:
        for test_id in by_stage[wanted]:
            print("--filter")
            print(regex(test_id))


if __name__ == "__main__":
    main()
