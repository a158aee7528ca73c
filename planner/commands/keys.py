"""``planner keys set|status|delete SERVICE``: API keys in the OS keyring, never echoed."""

from __future__ import annotations

import getpass
import json
import sys

from planner.commands.common import CommandError


def register(subparsers) -> None:
    # The services, their secrets and variables come from each service's declaration.
    from planner.services.registry import DECLARATIONS

    services = tuple(key for key, d in DECLARATIONS.items() if d.secrets)
    names = tuple(dict.fromkeys(s.name for d in DECLARATIONS.values() for s in d.secrets))
    variables = ", ".join(s.env_var for d in DECLARATIONS.values() for s in d.secrets)
    which = "; ".join(f"{d.key}: {', '.join(s.name for s in d.secrets)}" for d in DECLARATIONS.values() if d.secrets)
    parser = subparsers.add_parser(
        "keys",
        help="store, check or delete API keys (OS keyring; env vars override)",
        description=(
            "Keys live in the OS keyring (service 'planner'); Settings > Services stores them "
            f"too. Environment variables override them: {variables}. Values are never printed."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    for action, text in (
        ("set", "store a key (read from a hidden prompt, or from stdin when it is not a terminal)"),
        ("delete", "remove a key from the keyring"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("service", choices=services, metavar="SERVICE", help=", ".join(services))
        sub.add_argument("--name", default="key", choices=names, help=f"which secret (default key): {which}")
        sub.set_defaults(func=run_set if action == "set" else run_delete)
    status = actions.add_parser("status", help="which keys are set and where (env or keyring), never the values")
    status.add_argument("service", nargs="?", choices=services, metavar="SERVICE")
    status.set_defaults(func=run_status)


def _check_name(service: str, name: str):
    from planner.services.registry import secrets_table

    table = secrets_table()
    if (service, name) not in table:
        valid = ", ".join(n for s, n in table if s == service)
        raise CommandError(f"{service} has no secret called '{name}'; use --name {valid}")


def _read_secret(label: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"{label} (input hidden): ")
    else:
        value = sys.stdin.readline() if sys.stdin is not None else ""
    value = value.strip()
    if not value:
        raise CommandError("no key was given; paste the key at the prompt or pipe it on stdin")
    return value


def _print(data) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def run_set(args) -> int:
    from planner.services import credentials

    _check_name(args.service, args.name)
    value = _read_secret(f"{args.service} {args.name}")
    credentials.set_secret(args.service, value, args.name)
    status = credentials.secret_status(args.service)
    entry = next(s for s in status if s.name == args.name)
    result = {"stored": "keyring", **entry.to_json()}
    _print(result)
    if entry.source == "env":
        print(
            f"planner keys: note that {entry.env_var} is set and overrides the stored key",
            file=sys.stderr,
        )
    return 0


def run_delete(args) -> int:
    from planner.services import credentials

    _check_name(args.service, args.name)
    removed = credentials.delete_secret(args.service, args.name)
    _print({"service": args.service, "name": args.name, "deleted": removed})
    return 0


def run_status(args) -> int:
    from planner.services import credentials

    ok, backend = credentials.keyring_works()
    _print(
        {
            "keyring": {"available": ok, "backend" if ok else "problem": backend},
            "secrets": [s.to_json() for s in credentials.secret_status(args.service)],
        }
    )
    return 0
