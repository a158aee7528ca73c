"""``planner vsx NAME``: one star's AAVSO VSX record as JSON (type, range, period, epoch,
durations, and the elements planner would use)."""

from __future__ import annotations

from planner.commands._output import emit
from planner.commands.common import CommandError


def cmd_vsx(args) -> int:
    from planner.services.vsx import SERVICE_NAME, VsxClient

    name = " ".join(args.name).strip()
    client = VsxClient.from_settings()
    record = client.object(name, refresh=args.refresh)
    if record is None:
        raise CommandError(
            f"VSX has no star called {name!r}; check the spelling (VSX names look like 'bet Per', "
            "'V376 Peg', 'SS Cyg' or 'HD 209458')."
        )
    emit(record.to_json(), record, service=SERVICE_NAME, command="vsx")
    return 0


def register(subparsers) -> None:
    vsx = subparsers.add_parser(
        "vsx",
        help="print a star's AAVSO VSX record (type, range, period, epoch) as JSON",
        description=(
            "Look a star up in the AAVSO International Variable Star Index and print its record as "
            "JSON, with the elements planner takes from it. Answers are cached for four weeks; "
            "PLANNER_VSX_URL points planner at another address."
        ),
    )
    vsx.add_argument("name", nargs="+", help="the star's name, e.g. bet Per, 'V376 Peg', Algol")
    vsx.add_argument("--refresh", action="store_true", help="ask VSX even when a cached answer is fresh")
    vsx.set_defaults(func=cmd_vsx)
