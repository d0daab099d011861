"""The web's settings at start-up: one way to sign in, and never the development one in
production."""

import pytest

from services.web.settings import DEV_SECRET_KEY, load_web_settings

OIDC = {
    "OIDC_ISSUER": "https://login.example/tenant/v2.0/", "OIDC_CLIENT_ID": "lederdialog-web",
    "OIDC_CLIENT_SECRET": "client-secret", "WEB_SECRET_KEY": "k" * 32,
}
RS256 = {"JWT_ALGORITHM": "RS256", "JWT_JWKS_URL": "https://login.example/keys",
         "JWT_ISSUER": "https://login.example/tenant/v2.0"}


def test_production_signs_in_with_openid_connect():
    settings = load_web_settings({**OIDC, **RS256})
    assert not settings.sign_in.dev
    assert settings.sign_in.oidc_issuer == "https://login.example/tenant/v2.0"  # no trailing /
    assert settings.sign_in.oidc_client_id == "lederdialog-web"
    assert settings.sign_in.oidc_client_secret == "client-secret"
    assert settings.sign_in.oidc_scope == "openid profile email"
    assert settings.secret_key == "k" * 32
    assert settings.base.jwt.algorithm == "RS256"


def test_development_signs_in_without_a_provider():
    settings = load_web_settings({"WEB_DEV_SIGN_IN": "true"})
    assert settings.sign_in.dev
    assert settings.secret_key == DEV_SECRET_KEY


@pytest.mark.parametrize("flag", ["true", "1", "yes", "on", "TRUE"])
def test_the_development_sign_in_is_refused_with_rs256_tokens(flag):
    with pytest.raises(ValueError, match="WEB_DEV_SIGN_IN") as refused:
        load_web_settings({"WEB_DEV_SIGN_IN": flag, **RS256, "WEB_SECRET_KEY": "k" * 32})
    assert "JWT_ALGORITHM=RS256" in str(refused.value)


def test_the_development_sign_in_is_refused_beside_a_provider():
    with pytest.raises(ValueError, match="WEB_DEV_SIGN_IN") as refused:
        load_web_settings({**OIDC, "WEB_DEV_SIGN_IN": "true"})
    assert "OIDC_ISSUER" in str(refused.value)


@pytest.mark.parametrize("name", ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"])
@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_oidc_setting_is_named(name, value):
    environ = {**OIDC, **RS256}
    if value is None:
        del environ[name]
    else:
        environ[name] = value
    with pytest.raises(ValueError, match=name) as refused:
        load_web_settings(environ)
    others = {"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"} - {name}
    assert not any(other in str(refused.value) for other in others)  # only what is missing


def test_no_settings_at_all_name_every_oidc_setting():
    with pytest.raises(ValueError) as refused:
        load_web_settings({})
    assert all(name in str(refused.value)
               for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"))


def test_openid_connect_needs_a_secret_key_of_its_own():
    environ = {**OIDC, **RS256}
    del environ["WEB_SECRET_KEY"]
    with pytest.raises(ValueError, match="WEB_SECRET_KEY"):
        load_web_settings(environ)
