"""The sign-in settings (docs/security.md): off by default, secure cookies by default behind an https address, and
bad numbers refused with the setting's name."""

from __future__ import annotations

import pytest

from config.settings import load_settings


def test_defaults_sign_in_off_and_the_documented_numbers(tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path)})
    assert (settings.auth, settings.secret_key, settings.lockout_attempts, settings.lockout_minutes,
            settings.session_idle_hours, settings.cookie_secure) == (False, None, 5, 15, 12, False)
    assert settings.secret_key_file == tmp_path / "secret_key"


def test_values_from_the_environment_and_the_key_kept_out_of_repr(tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path), "CUSTOMER_INSIGHT_AUTH": "on",
                              "CUSTOMER_INSIGHT_SECRET_KEY": "k" * 40, "CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS": "3",
                              "CUSTOMER_INSIGHT_LOCKOUT_MINUTES": "2.5", "CUSTOMER_INSIGHT_SESSION_IDLE_HOURS": "1"})
    assert (settings.auth, settings.lockout_attempts, settings.lockout_minutes, settings.session_idle_hours) == (
        True, 3, 2.5, 1)
    assert settings.secret_key == "k" * 40 and "kkkk" not in repr(settings)


@pytest.mark.parametrize(("base_url", "flag", "secure"), [
    ("https://insight.example.com", None, True),
    ("HTTPS://insight.example.com", None, True),
    ("http://insight.example.com", None, False),
    (None, "on", True),
    ("https://insight.example.com", "off", False),
])
def test_secure_cookies_follow_the_public_address_unless_set(tmp_path, base_url, flag, secure):
    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path)}
    if base_url:
        env["CUSTOMER_INSIGHT_BASE_URL"] = base_url
    if flag:
        env["CUSTOMER_INSIGHT_COOKIE_SECURE"] = flag
    assert load_settings(env).cookie_secure is secure


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CUSTOMER_INSIGHT_AUTH", "maybe", "CUSTOMER_INSIGHT_AUTH must be on or off"),
    ("CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS", "2.5", "CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS must be a positive whole number"),
    ("CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS", "0", "CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS must be a positive whole number"),
    ("CUSTOMER_INSIGHT_LOCKOUT_MINUTES", "-1", "CUSTOMER_INSIGHT_LOCKOUT_MINUTES must be a positive number"),
    ("CUSTOMER_INSIGHT_SESSION_IDLE_HOURS", "nan", "CUSTOMER_INSIGHT_SESSION_IDLE_HOURS must be a positive number"),
])
def test_bad_values_are_refused_with_the_settings_name(tmp_path, name, value, message):
    with pytest.raises(ValueError, match=message):
        load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path), name: value})
