"""Mint a development JWT: python -m shared.mint_token --sub hr-1 --role hr_admin."""

from __future__ import annotations

import argparse

from shared.auth import ROLES, mint_token
from shared.config import load_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sub", required=True, help="the person's id (the token's subject)")
    parser.add_argument(
        "--role", action="append", required=True, choices=sorted(ROLES), dest="roles",
        help="a role; repeat for several",
    )
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    settings = load_settings("cli").jwt
    print(mint_token(settings, sub=args.sub, roles=args.roles, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()
