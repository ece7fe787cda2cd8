"""Late dossiers apologise: a letter with a new date (Decree 63/2024/NĐ-CP), as PDF in Vietnamese.

The responsible officer (the assigned processing officer, or a leader of the
agency) issues it; the dossiers domain records the new date on the dossier
and its timeline, the citizen is notified, and the index still counts the
dossier late (its legal due date does not move).
"""
import uuid

import font_roboto
from fpdf import FPDF
from sqlalchemy import select

from app.common.auth import OutOfScope, Principal
from app.common.clock import VIETNAM, utcnow
from app.dossiers import service as dossiers
from app.extensions import db
from app.identity import staff as identity_staff
from app.common.roles import CITIZEN
from app.notifications.service import notify
from app.quality.errors import ApologyNotFound
from app.quality.models import Apology


def issue_apology(principal: Principal, dossier_id: uuid.UUID, new_date, reason: str) -> Apology:
    """Records the new date and the letter, notifies the citizen (the caller commits)."""
    late = dossiers.promise_new_date(principal, dossier_id, new_date)
    apology = Apology(
        dossier_id=late.dossier_id, citizen_account_id=late.citizen_account_id, officer_id=principal.account_id,
        officer_name=identity_staff.display_name(principal.account_id), agency_id=late.agency_id,
        agency_name=late.agency_name, applicant_name=late.applicant_name, receipt_code=late.receipt_code,
        procedure_name=late.procedure_name, due_date=late.due_date, new_date=late.new_date,
        reason=reason.strip(), issued_at=utcnow())
    db.session.add(apology)
    db.session.flush()
    notify("dossier_apology", account_id=late.citizen_account_id,
           params={"receipt_code": late.receipt_code, "procedure_name": late.procedure_name,
                   "due_date": late.due_date.isoformat(), "new_date": new_date.isoformat(),
                   "apology_id": str(apology.id)})
    return apology


def get_apology(principal: Principal, apology_id: uuid.UUID) -> Apology:
    """The letter, for its citizen or staff of the agency (leaders and admins anywhere)."""
    apology = db.session.get(Apology, apology_id)
    if apology is None:
        raise ApologyNotFound()
    if principal.role == CITIZEN:
        if apology.citizen_account_id != principal.account_id:
            raise ApologyNotFound()
    elif principal.role in ("officer", "approver") and principal.agency_id != apology.agency_id:
        raise OutOfScope()
    return apology


def dossier_apologies(principal: Principal, dossier_id: uuid.UUID) -> list[Apology]:
    """The apologies of one dossier, oldest first, for whoever may read them (others get none)."""
    rows = db.session.scalars(select(Apology).where(Apology.dossier_id == dossier_id)
                              .order_by(Apology.issued_at, Apology.id))
    visible = []
    for apology in rows:
        try:
            visible.append(get_apology(principal, apology.id))
        except (ApologyNotFound, OutOfScope):
            continue
    return visible


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def render_letter(apology: Apology) -> bytes:
    """The letter of apology (thư xin lỗi) as a one-page A4 PDF, in Vietnamese."""
    issued = apology.issued_at.astimezone(VIETNAM)
    pdf = FPDF(format="A4")
    pdf.set_title(f"Thư xin lỗi hồ sơ {apology.receipt_code}")
    pdf.set_creator("Smart Province")
    pdf.set_creation_date(apology.issued_at)
    pdf.add_font("Roboto", "", font_roboto.Roboto)
    pdf.add_font("Roboto", "B", font_roboto.RobotoBold)
    pdf.add_page()
    pdf.set_font("Roboto", "B", 11)
    pdf.multi_cell(0, 6, apology.agency_name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "B", 11)
    pdf.cell(0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Roboto", "B", 15)
    pdf.cell(0, 8, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 9)
    pdf.cell(0, 5, "(Letter of apology and new date for the result)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Roboto", "", 11)
    body = (
        f"Kính gửi: Ông/Bà {apology.applicant_name}.\n\n"
        f"{apology.agency_name} đã tiếp nhận hồ sơ mã số {apology.receipt_code} về thủ tục "
        f"\"{apology.procedure_name}\", hẹn trả kết quả ngày {_day(apology.due_date)}.\n\n"
        f"Tuy nhiên, đến nay hồ sơ chưa được giải quyết đúng hạn. Lý do: {apology.reason}\n\n"
        f"{apology.agency_name} thành thật xin lỗi Ông/Bà vì sự chậm trễ này và xin hẹn lại ngày trả "
        f"kết quả là ngày {_day(apology.new_date)}.\n\n"
        "Ông/Bà sẽ được thông báo trên ứng dụng khi có kết quả. Trân trọng."
    )
    pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 6, f"Ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "B", 11)
    pdf.cell(0, 6, "Cán bộ chịu trách nhiệm", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 11)
    pdf.cell(0, 6, apology.officer_name, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
