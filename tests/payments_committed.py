"""Committed data for payment tests that need real transactions (threads, sockets).

`CommittedWorld` creates the data such a test needs (inside
`tests.committed.real_sessions()`) and deletes every row it caused
afterwards, so the shared test database is left as it was.
"""
import uuid
from datetime import date

from sqlalchemy import delete, select

from app.catalog.models import Agency, Procedure
from app.common.clock import utcnow
from app.dossiers import states
from app.dossiers.models import FEE_UNPAID, Dossier, TimelineEntry
from app.extensions import db
from app.identity.models import Account, AuthSession, RefreshToken
from app.notifications.models import OutboxMessage
from app.payments.models import Payment, PaymentEvent, Receipt, Refund
from app.registry.models import RegistryCitizen
from tests.factories import AccountFactory, RegistryCitizenFactory, bearer


class CommittedWorld:
    """An agency, a procedure with a fee, a citizen and dossiers, all committed (use inside real_sessions)."""

    def __init__(self, fee: int = 15_000):
        tag = uuid.uuid4().hex[:8].upper()
        self.agency = Agency(code=f"T-{tag}", name="UBND xã Thử nghiệm", kind="commune_committee",
                             province_code="80", commune_code="27727")
        self.procedure = Procedure(code=f"T.{tag}", name="Thủ tục có lệ phí", search_text="thu tuc",
                                   agency_kind="commune_committee", fee=fee, processing_days=3,
                                   service_level="full", min_level=1, result_name="Kết quả")
        db.session.add_all([self.agency, self.procedure])
        citizen = RegistryCitizenFactory(date_of_birth=date(1988, 3, 4))
        self.account = AccountFactory(citizen=citizen, level=2)
        self.personal_id = citizen.personal_id
        self.headers = bearer(self.account, level=2, methods=("pwd", "totp"))
        self.dossiers: list[Dossier] = []
        db.session.commit()

    def dossier(self) -> Dossier:
        dossier = Dossier(
            procedure_id=self.procedure.id, citizen_account_id=self.account.id,
            applicant_name=self.account.full_name, agency_id=self.agency.id, commune_code="27727",
            status=states.SUBMITTED, receipt_code=f"H80.27727-{uuid.uuid4().hex[:10].upper()}",
            fee_amount=self.procedure.fee, fee_status=FEE_UNPAID, submitted_at=utcnow())
        db.session.add(dossier)
        db.session.commit()
        self.dossiers.append(dossier)
        return dossier

    def clean(self) -> None:
        session = db.session
        session.rollback()
        dossier_ids = [d.id for d in self.dossiers]
        payment_ids = list(session.scalars(select(Payment.id).where(Payment.dossier_id.in_(dossier_ids))))
        for model in (PaymentEvent, Receipt, Refund):
            session.execute(delete(model).where(model.payment_id.in_(payment_ids)))
        session.execute(delete(Payment).where(Payment.id.in_(payment_ids)))
        session.execute(delete(TimelineEntry).where(TimelineEntry.dossier_id.in_(dossier_ids)))
        session.execute(delete(Dossier).where(Dossier.id.in_(dossier_ids)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.account_id == self.account.id))
        # anything else an account-keyed table gathered (notification profiles, ...)
        for table in reversed(db.metadata.sorted_tables):
            if table.name in ("accounts", "auth_sessions", "refresh_tokens"):
                continue
            for column in table.columns:
                if any(fk.column.table.name == "accounts" for fk in column.foreign_keys):
                    session.execute(delete(table).where(column == self.account.id))
        sessions = list(session.scalars(select(AuthSession.id).where(AuthSession.account_id == self.account.id)))
        session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(sessions)))
        session.execute(delete(AuthSession).where(AuthSession.id.in_(sessions)))
        session.execute(delete(Account).where(Account.id == self.account.id))
        session.execute(delete(RegistryCitizen).where(RegistryCitizen.personal_id == self.personal_id))
        session.execute(delete(Procedure).where(Procedure.id == self.procedure.id))
        session.execute(delete(Agency).where(Agency.id == self.agency.id))
        session.commit()
