"""Production refuses weak or development settings, naming the setting; a strong configuration starts."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.common.production_guards import bits_per_symbol, weak_fernet_key, weak_secret
from app.config import ConfigurationError, ProductionConfig, load_config
from tests.unit.test_config import SAFE

ROOT = Path(__file__).resolve().parents[2]


def test_the_strong_configuration_is_accepted():
    assert isinstance(load_config(environ=SAFE), ProductionConfig)


@pytest.mark.parametrize("value, weak", [
    ("a" * 32, True),                                   # one repeated character
    ("ab" * 24, True),                                  # 1 bit per character
    ("short-but-random-8f3k", True),                    # under 32 characters
    ("0123456789abcdef" * 2, False),                    # 4 bits per character (rule's floor is 3)
    ("ZGsQ0y9hO0DIfzflLU8w-x_rW93O6Cf37TThcA1g0dSdVD47", False),
])
def test_the_secret_rule(value, weak):
    assert (weak_secret(value) is not None) is weak


def test_entropy_is_measured_per_character():
    assert bits_per_symbol("aaaa") == 0
    assert bits_per_symbol("abab") == 1


@pytest.mark.parametrize("key", ["a", "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=", "not base64 !!"])
def test_weak_totp_keys(key):
    assert weak_fernet_key(key) is not None


@pytest.mark.parametrize("change, setting", [
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ({"RATELIMIT_ENABLED": "false"}, "RATELIMIT_ENABLED"),
    ({"SECRET_KEY": "a" * 32}, "SECRET_KEY"),
    ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY"),
    ({"TOTP_ENCRYPTION_KEY": "a"}, "TOTP_ENCRYPTION_KEY"),
    ({"NOTIFY_CALLBACK_SECRET": "c" * 40}, "NOTIFY_CALLBACK_SECRET"),
    ({"VNPAY_HASH_SECRET": "v" * 32}, "VNPAY_HASH_SECRET"),
    ({"PAYGOV_SECRET": "p" * 32}, "PAYGOV_SECRET"),
    ({"DATABASE_URL": "sqlite:///prod.db"}, "DATABASE_URL"),
    ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
    ({"MOCK_GATEWAYS": "1"}, "MOCK_GATEWAYS"),
    ({"NOTIFY_SMS_ADAPTER": "mock"}, "NOTIFY_SMS_ADAPTER"),
    ({"DEV_ENDPOINTS": "1"}, "DEV_ENDPOINTS"),
    ({"METRICS_ALLOWED_NETWORKS": ""}, "METRICS_TOKEN or METRICS_ALLOWED_NETWORKS"),
    ({"METRICS_ALLOWED_NETWORKS": "", "METRICS_TOKEN": "m" * 40}, "METRICS_TOKEN"),
    ({"METRICS_ALLOWED_NETWORKS": "everyone"}, "METRICS_ALLOWED_NETWORKS"),
])
def test_each_weak_setting_is_refused_by_name(change, setting):
    with pytest.raises(ConfigurationError) as caught:
        load_config(environ={**SAFE, **change})
    assert setting in str(caught.value)


def _import_wsgi(environ: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SAFE and not k.startswith(("RATELIMIT", "FLASK"))}
    env.update(environ)
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_import_wsgi_fails_in_production_with_memory_rate_limits_and_a_repeated_secret():
    completed = _import_wsgi({**SAFE, "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "a" * 32})
    assert completed.returncode != 0
    assert "ConfigurationError" in completed.stderr
    assert "RATELIMIT_STORAGE_URI" in completed.stderr and "SECRET_KEY" in completed.stderr


def test_import_wsgi_succeeds_with_the_strong_configuration():
    completed = _import_wsgi(SAFE)
    assert completed.returncode == 0, completed.stderr[-2000:]
