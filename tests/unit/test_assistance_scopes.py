"""Scopes, the endpoint allow-list and the consent wording: plain rules, no I/O."""
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.assistance import scopes
from app.assistance.consent import describe
from app.assistance.errors import OutsideConsent, ResidentAccountRequired
from app.assistance.models import ACTIVE, EXPIRED, PENDING, REVOKED, Delegation
from app.payments.service import PAYMENT_SCOPE

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def _delegation(scope_list, account=True, **kwargs):
    return SimpleNamespace(scopes=list(scope_list), subject_account_id=uuid.uuid4() if account else None,
                           procedure_code="2.000635", **kwargs)


def test_paying_a_fee_carries_the_scope_the_payments_domain_checks():
    assert scopes.PAYMENTS_DOMAIN_SCOPE == PAYMENT_SCOPE
    assert scopes.principal_scopes(["pay_fee"]) == {"pay_fee", PAYMENT_SCOPE}
    assert PAYMENT_SCOPE not in scopes.principal_scopes(["submit_dossier", "read_status"])


@pytest.fixture(autouse=True)
def _app_context(app):
    """The rules are read from the application's views."""
    with app.app_context():
        yield


def test_anything_not_listed_is_refused():
    assert scopes.rule_for("identity.Me", "GET") is None
    assert scopes.rule_for(None, "GET") is None
    with pytest.raises(OutsideConsent):
        scopes.enforce(_delegation(scopes.SCOPES), "identity.Me", "GET", {}, {})
    with pytest.raises(OutsideConsent):
        scopes.enforce(_delegation(scopes.SCOPES), "payments.Payments", "POST", {}, {})


def test_a_listed_endpoint_needs_one_of_its_scopes():
    rule = scopes.enforce(_delegation(["read_status"]), "dossiers.Dossiers", "GET", {}, {})
    assert rule.act == "status_read"
    with pytest.raises(OutsideConsent):
        scopes.enforce(_delegation(["submit_dossier"]), "dossiers.Dossiers", "GET", {}, {})
    with pytest.raises(OutsideConsent):
        scopes.enforce(_delegation(["read_status"]), "dossiers.SubmitDossier", "POST", {}, {})
    assert scopes.rule_for("dossiers.Dossiers", "HEAD") is scopes.rule_for("dossiers.Dossiers", "GET")


def test_acting_for_a_resident_needs_their_account_except_to_register_it():
    without = _delegation(["register_account", "read_status"], account=False)
    assert scopes.enforce(without, "assistance.DelegatedRegistration", "POST", {}, {})
    assert scopes.enforce(without, "assistance.CurrentDelegation", "GET", {}, {})
    with pytest.raises(ResidentAccountRequired):
        scopes.enforce(without, "dossiers.Dossiers", "GET", {}, {})


def test_every_scope_opens_something_and_every_rule_names_known_scopes():
    opened = set()
    for (endpoint, method), rule in scopes.rules().items():
        assert rule.scopes <= set(scopes.SCOPES), endpoint
        assert method in {"GET", "POST", "PATCH", "DELETE"}
        opened |= rule.scopes
    assert opened == set(scopes.SCOPES)
    # no identity, notifications, results or development endpoint is ever opened
    assert not [e for e, _ in scopes.rules() if e.split(".")[0] in ("identity", "notifications", "results",
                                                                   "dev_sms", "dev_notifications", "payments")]


def _row(**kwargs) -> Delegation:
    defaults = dict(status=ACTIVE, consent_deadline=NOW + timedelta(minutes=15), expires_at=NOW + timedelta(hours=1))
    return Delegation(**{**defaults, **kwargs})


def test_the_effective_status_knows_when_time_ran_out():
    assert _row().effective_status(NOW) == ACTIVE
    assert _row().effective_status(NOW + timedelta(hours=1)) == EXPIRED
    assert _row(status=PENDING, expires_at=None).effective_status(NOW) == PENDING
    assert _row(status=PENDING, expires_at=None).effective_status(NOW + timedelta(minutes=15)) == EXPIRED
    assert _row(status=REVOKED).effective_status(NOW + timedelta(days=1)) == REVOKED


@pytest.mark.parametrize("locale, minutes, what, duration", [
    ("vi", 120, "nộp hồ sơ “Cấp bản sao trích lục hộ tịch”; tạo thanh toán lệ phí (liên kết gửi về điện thoại của bạn)",
     "2 giờ"),
    ("en", 90, "submit a dossier for “Cấp bản sao trích lục hộ tịch”; start paying a fee (the link comes to your "
               "phone)", "1 hour 30 minutes"),
    ("vi", 45, "nộp hồ sơ “Cấp bản sao trích lục hộ tịch”; tạo thanh toán lệ phí (liên kết gửi về điện thoại của bạn)",
     "45 phút"),
])
def test_the_consent_sms_says_what_and_for_how_long(locale, minutes, what, duration):
    delegation = SimpleNamespace(scopes=["pay_fee", "submit_dossier"], duration_minutes=minutes,
                                 procedure_code="2.000635")
    assert describe(delegation, locale, "Cấp bản sao trích lục hộ tịch") == (what, duration)
