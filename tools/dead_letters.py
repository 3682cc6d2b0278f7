"""Dead letters from the command line (the runbook's commands; the console does the same in a browser).

    python -m tools.dead_letters list [--topic claims.coding.events.dlq] [--json]
    python -m tools.dead_letters replay <position> [<position> ...]

KAFKA_BOOTSTRAP and KAFKA_NAMESPACE come from the environment (source the stack's stack.env) unless
given as options. A position is '<dead-letter topic>:<partition>:<offset>', as `list` prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from shared.messaging.dead_letters import DEAD_LETTER_TOPICS, DeadLetterTopics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dead_letters", description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--namespace", default=os.environ.get("KAFKA_NAMESPACE", ""))
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print the dead letters: position, event, claim, consumer, reason")
    listing.add_argument("--topic", action="append", choices=DEAD_LETTER_TOPICS)
    listing.add_argument("--json", action="store_true")
    replaying = commands.add_parser("replay", help="re-drive dead letters to the topics they came from")
    replaying.add_argument("positions", nargs="+")
    args = parser.parse_args(argv)
    topics = DeadLetterTopics(args.bootstrap, args.namespace)

    if args.command == "list":
        letters = asyncio.run(topics.list(tuple(args.topic or DEAD_LETTER_TOPICS), limit=100_000))
        if args.json:
            print(json.dumps([letter.as_dict() for letter in letters], indent=2))
        for letter in [] if args.json else letters:
            print(f"{letter.position}\t{letter.event_type}\t{letter.claim_id}\t{letter.consumer}\t{letter.reason}")
        return 0
    try:
        replayed = asyncio.run(topics.replay(args.positions))
    except (LookupError, ValueError) as error:
        print(f"nothing replayed: {error}", file=sys.stderr)
        return 2
    for letter in replayed:
        print(f"replayed {letter.position} to {letter.origin_topic} for {letter.consumer}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
