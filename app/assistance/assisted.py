"""What a member does with a delegated token through the assistance endpoints.

Assisted registration drives identity's own registration: the details come
from the registry and the phone is the one the resident proved they hold by
consenting, so the SMS code goes to the resident's own phone; the member types
the code the resident reads aloud. The password-setting token identity hands
out after the code is never shown to the member: the resident activates the
account themselves, with their own password (the SMS tells them how).

Fees: the payment is started in the resident's name and its link goes by SMS
to the resident's phone; the member's answer has no link. Payments stay
cashless and the member never handles the money.

Identity and payments commit inside their own functions, so the act log and
the figures are written in a second transaction right after.
"""
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.assistance import acts, figures
from app.assistance.errors import (
    ConsentPhoneRequired, DossierOutsideConsent, PhoneIsHelpers, RegistrationNotStarted,
    ResidentNotFound,
)
from app.assistance.models import BY_SMS, AssistedRegistration, Delegation
from app.common.auth import Principal
from app.common.clock import utcnow
from app.common.masking import mask_phone
from app.extensions import db
from app.identity import accounts, otp
from app.identity import public as identity
from app.notifications.service import notify
from app.payments import public as payments_public
from app.payments import service as payments
from app.payments.errors import PaymentNotFound
from app.payments.settings import settings as payment_settings
from app.registry.adapter import get_registry


@dataclass(frozen=True)
class Registered:
    account_id: uuid.UUID
    account_status: str
    phone: str


@dataclass(frozen=True)
class StartedPayment:
    payment: payments_public.PaymentFacts
    sent_to: str


# -- assisted registration ------------------------------------------------------------------

def start_registration(delegation: Delegation) -> otp.SentCode:
    """Starts the resident's level-1 registration; the SMS code goes to their own registry phone."""
    if delegation.consent_method != BY_SMS or not delegation.consent_phone:
        raise ConsentPhoneRequired()
    record = get_registry().find_citizen(delegation.subject_personal_id)
    if record is None:
        raise ResidentNotFound()
    sent = accounts.register(record.personal_id, record.full_name, record.date_of_birth, delegation.consent_phone)
    delegation.registration_flow_id = sent.flow_id
    acts.record(delegation, "registration_started", detail={"phone": mask_phone(sent.phone)})
    db.session.commit()
    return sent


def resend_registration_code(delegation: Delegation) -> otp.SentCode:
    if delegation.registration_flow_id is None:
        raise RegistrationNotStarted()
    sent = otp.resend(delegation.registration_flow_id)
    db.session.commit()
    return sent


def verify_registration(delegation: Delegation, code: str) -> Registered:
    """The code the resident read aloud: the phone is verified and the account exists.

    Identity's setup token is dropped here on purpose: the member must never
    be able to choose the resident's password.
    """
    if delegation.registration_flow_id is None:
        raise RegistrationNotStarted()
    accounts.verify_registration_phone(delegation.registration_flow_id, code)  # commits
    account = identity.account_by_personal_id(delegation.subject_personal_id)
    delegation.subject_account_id = account.id
    registration = db.session.scalar(select(AssistedRegistration).where(
        AssistedRegistration.account_id == account.id))
    if registration is None:
        db.session.add(AssistedRegistration(
            account_id=account.id, delegation_id=delegation.id, member_id=delegation.member_id,
            team_id=delegation.team_id, registered_at=utcnow()))
        figures.count(figures.ACCOUNTS_REGISTERED, team_id=delegation.team_id, member_id=delegation.member_id,
                      commune_code=delegation.commune_code, delegation_id=delegation.id)
    notify("assistance_account_registered", account_id=account.id, phone=account.phone, channels=("sms",))
    acts.record(delegation, "account_registered", target_type="account", target_id=account.id)
    db.session.commit()
    return Registered(account.id, account.status, account.phone)


# -- fees -----------------------------------------------------------------------------------

def start_payment(principal: Principal, delegation: Delegation, dossier_id: uuid.UUID, gateway: str, *,
                  client_ip: str | None, locale: str) -> StartedPayment:
    """Starts paying a dossier's fee in the resident's name; the link goes to the resident's phone only."""
    if delegation.dossier_id is not None and delegation.dossier_id != dossier_id:
        raise DossierOutsideConsent()
    if delegation.dossier_id is None and not acts.touched(delegation.id, dossier_id):
        raise DossierOutsideConsent()   # without a named dossier: only those handled in this session
    resident = identity.account(delegation.subject_account_id)
    phone = delegation.consent_phone or resident.phone
    if phone == identity.account(delegation.member_id).phone:
        raise PhoneIsHelpers()
    payment = payments.create_payment(principal, dossier_id, gateway, client_ip=client_ip, locale=locale)
    notify("assistance_payment_link", account_id=resident.id, phone=phone, urgent=True, sensitive=True,
           params={"amount": payment.amount, "receipt_code": payment.dossier_receipt_code,
                   "url": payment.redirect_url, "minutes": payment_settings().ttl_minutes})
    acts.record(delegation, "payment_started", target_type="payment", target_id=payment.id,
                detail={"dossier_id": str(dossier_id), "amount": payment.amount, "gateway": gateway})
    db.session.commit()
    return StartedPayment(payments_public.facts(payment), phone)


def get_payment(principal: Principal, delegation: Delegation,
                payment_id: uuid.UUID) -> payments_public.PaymentFacts:
    """A payment this member started for the resident (its status, never its link)."""
    payment = payments_public.payment(payment_id)
    if (payment is None or payment.account_id != principal.account_id
            or payment.actor_id != delegation.member_id):
        raise PaymentNotFound()
    return payment
