"""Mint a development JWT: python -m shared.mint_token --sub hr-1 --role hr_admin.

Several roles: repeat --role, or list them with commas (--role leader,trio).
"""

from __future__ import annotations

import argparse

from shared.auth import ROLES, mint_token
from shared.config import load_settings

CHOICES = ", ".join(sorted(ROLES))


def roles(value: str) -> list[str]:
    """The roles of one --role: a role, or several separated by commas."""
    named = [role.strip() for role in value.split(",") if role.strip()]
    if not named:
        raise argparse.ArgumentTypeError(f"no role given; choose from {CHOICES}")
    unknown = [role for role in named if role not in ROLES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown role {', '.join(map(repr, unknown))}; choose from {CHOICES}"
        )
    return named


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sub", required=True, help="the person's id (the token's subject)")
    parser.add_argument(
        "--role", "--roles", action="append", required=True, type=roles, dest="roles",
        metavar="ROLE[,ROLE...]",
        help=f"one role or several, comma-separated; repeat as you like ({CHOICES})",
    )
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    # Each role once, in the order given.
    named = list(dict.fromkeys(role for group in args.roles for role in group))
    try:
        print(mint_token(load_settings("cli").jwt, sub=args.sub, roles=named,
                         ttl_seconds=args.ttl))
    except ValueError as exc:  # JWT_ALGORITHM is not HS256: tokens come from the provider
        parser.error(str(exc))


if __name__ == "__main__":
    main()
