"""Bearer JWTs: pinned algorithm, required claims, roles."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import AuthError, TokenVerifier, mint_token
from shared.config import JWTSettings

SETTINGS = JWTSettings(secret="unit-secret-" + "y" * 64, issuer="unit-test")


def claims(**changes):
    now = int(time.time())
    base = {"sub": "p-1", "roles": ["leader"], "aud": "lederdialog", "iss": "unit-test",
            "iat": now, "exp": now + 60}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_minted_token_verifies():
    principal = TokenVerifier(SETTINGS).verify(
        mint_token(SETTINGS, sub="hr-1", roles=["hr_admin", "leader"])
    )
    assert principal.sub == "hr-1"
    assert principal.roles == {"hr_admin", "leader"}


@pytest.mark.parametrize("missing", ["sub", "exp", "aud", "iss", "iat"])
def test_required_claims(missing):
    token = jwt.encode(claims(**{missing: None}), SETTINGS.secret, algorithm="HS256")
    with pytest.raises(AuthError):
        TokenVerifier(SETTINGS).verify(token)


@pytest.mark.parametrize("changes", [
    {"aud": "someone-else"}, {"iss": "evil"}, {"exp": int(time.time()) - 3600},
    {"roles": "hr_admin"}, {"sub": ""},
])
def test_wrong_claims_are_rejected(changes):
    token = jwt.encode(claims(**changes), SETTINGS.secret, algorithm="HS256")
    with pytest.raises(AuthError):
        TokenVerifier(SETTINGS).verify(token)


def test_algorithm_is_pinned_not_taken_from_the_token():
    unsigned = jwt.encode(claims(), None, algorithm="none")
    other_hmac = jwt.encode(claims(), SETTINGS.secret, algorithm="HS512")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_signed = jwt.encode(claims(), key, algorithm="RS256")
    for token in (unsigned, other_hmac, rsa_signed):
        with pytest.raises(AuthError):
            TokenVerifier(SETTINGS).verify(token)


def test_wrong_secret_is_rejected():
    token = jwt.encode(claims(), "another-secret-" + "z" * 32, algorithm="HS256")
    with pytest.raises(AuthError):
        TokenVerifier(SETTINGS).verify(token)


def test_unknown_roles_are_dropped_and_cannot_be_minted():
    token = jwt.encode(claims(roles=["leader", "superuser"]), SETTINGS.secret, algorithm="HS256")
    assert TokenVerifier(SETTINGS).verify(token).roles == {"leader"}
    with pytest.raises(ValueError):
        mint_token(SETTINGS, sub="x", roles=["superuser"])


def test_rs256_needs_a_jwks_url():
    with pytest.raises(ValueError, match="JWT_JWKS_URL"):
        TokenVerifier(JWTSettings(algorithm="RS256"))
    with pytest.raises(ValueError, match="HS256 or RS256"):
        TokenVerifier(JWTSettings(algorithm="none"))


def test_a_token_is_verified_once_and_remembered_until_it_expires(monkeypatch):
    settings = JWTSettings(secret=SETTINGS.secret, issuer="unit-test", leeway_seconds=0)
    verifier = TokenVerifier(settings)
    expires_at = int(time.time()) + 2
    token = jwt.encode(claims(exp=expires_at), settings.secret, algorithm="HS256")
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **kw: decoded.append(1) or real_decode(*a, **kw))

    assert verifier.verify(token).sub == verifier.verify(token).sub == "p-1"
    assert len(decoded) == 1

    time.sleep(max(0.0, expires_at - time.time()) + 0.05)  # past the expiry under test
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)


def test_a_refused_token_is_not_remembered():
    verifier = TokenVerifier(SETTINGS)
    token = jwt.encode(claims(), "another-secret-" + "z" * 32, algorithm="HS256")
    for _attempt in range(2):
        with pytest.raises(AuthError):
            verifier.verify(token)
