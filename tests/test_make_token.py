"""`make token` mints a development token for one person with one role or several."""

import os
import subprocess
import sys

import jwt
import pytest

from shared.auth import TokenVerifier
from shared.config import REPO_ROOT, JWTSettings

SETTINGS = JWTSettings(secret="make-token-test-" + "z" * 32, issuer="make-token-test")
# The CLI reads the JWT settings from the environment, as every service does.
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("JWT_")},
       "JWT_SECRET": SETTINGS.secret, "JWT_ISSUER": SETTINGS.issuer}


def make_token(*variables: str) -> subprocess.CompletedProcess:
    """`make token VARIABLES`, with this interpreter and without reinstalling (-o install)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "token", f"PY={sys.executable}",
         *variables],
        cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=60,
    )


def mint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shared.mint_token", *args], cwd=REPO_ROOT,
                          env=ENV, capture_output=True, text=True, timeout=60)


def principal(completed: subprocess.CompletedProcess):
    assert completed.returncode == 0, completed.stderr
    return TokenVerifier(SETTINGS).verify(completed.stdout.strip())


@pytest.mark.parametrize("roles", ["ROLE=leader,trio", "ROLES=leader,trio"])
def test_make_token_takes_several_roles(roles):
    token = make_token("SUB=l.leder", roles)

    assert principal(token).sub == "l.leder"
    assert jwt.decode(token.stdout.strip(), options={"verify_signature": False})["roles"] == [
        "leader", "trio"
    ]


def test_make_token_defaults_to_an_hr_admin():
    minted = principal(make_token())

    assert (minted.sub, minted.roles) == ("hr-1", {"hr_admin"})


def test_roles_repeat_and_combine_each_once_in_order():
    minted = mint("--sub", "l.leder", "--role", "leader", "--role", "trio, leader",
                  "--roles", "employee")

    claims = jwt.decode(minted.stdout.strip(), options={"verify_signature": False})
    assert claims["roles"] == ["leader", "trio", "employee"]
    assert principal(minted).roles == {"leader", "trio", "employee"}


@pytest.mark.parametrize("role", ["leader,boss", ","])
def test_an_unknown_or_missing_role_is_refused_by_name(role):
    refused = make_token("SUB=l.leder", f"ROLE={role}")

    assert refused.returncode != 0
    assert refused.stdout == ""
    assert "--role" in refused.stderr
    assert "choose from employee, hr_admin, leader, service, trio" in refused.stderr
    if "boss" in role:
        assert "unknown role 'boss'" in refused.stderr


def test_no_development_token_where_tokens_come_from_the_identity_provider():
    refused = subprocess.run(
        [sys.executable, "-m", "shared.mint_token", "--sub", "x", "--role", "leader"],
        cwd=REPO_ROOT, env={**ENV, "JWT_ALGORITHM": "RS256"}, capture_output=True, text=True,
        timeout=60,
    )

    assert refused.returncode == 2
    assert "development tokens are HS256" in refused.stderr
    assert "Traceback" not in refused.stderr
