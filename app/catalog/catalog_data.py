"""The procedures of Project 06 seeded into every province's catalog.

Codes follow the format of the national procedure database (mã TTHC); fees are
whole VND for online submission, processing times in working days. Fields that
the population registry already knows are prefilled (`prefill`), so a citizen
types only what the state cannot know.
"""
from app.catalog.models import (
    COMMUNE_COMMITTEE, FULLY_ONLINE, JUSTICE_DEPARTMENT, PARTLY_ONLINE, PROVINCIAL_POLICE,
    SOCIAL_INSURANCE,
)


def text(name, label, *, required=True, prefill=None, max_length=None):
    f = {"name": name, "label": label, "type": "text", "required": required}
    if prefill:
        f["prefill"] = prefill
    if max_length:
        f["max_length"] = max_length
    return f


def typed(kind, name, label, *, required=True, prefill=None, **extra):
    f = {"name": name, "label": label, "type": kind, "required": required, **extra}
    if prefill:
        f["prefill"] = prefill
    return f


def choice(name, label, options, *, required=True, prefill=None):
    return typed("choice", name, label, required=required, prefill=prefill,
                 choices=[{"value": v, "label": lbl} for v, lbl in options])


def doc(code, name, required=True):
    return {"code": code, "name": name, "required": required}


GENDERS = [("male", "Nam"), ("female", "Nữ")]
DECLARANT = [
    text("declarant_full_name", "Họ, chữ đệm, tên người yêu cầu", prefill="full_name"),
    typed("personal_id", "declarant_personal_id", "Số định danh cá nhân người yêu cầu", prefill="personal_id"),
]
APPLICANT = [
    text("full_name", "Họ, chữ đệm và tên", prefill="full_name"),
    typed("personal_id", "personal_id", "Số định danh cá nhân", prefill="personal_id"),
    typed("date", "date_of_birth", "Ngày, tháng, năm sinh", prefill="date_of_birth", past_only=True),
]
COMMUNE = typed("commune_code", "commune_code", "Xã, phường nơi nộp hồ sơ", prefill="current_commune_code")

BIRTH_REGISTRATION = "1.001193"
DEATH_REGISTRATION = "1.000656"
PERMANENT_RESIDENCE = "1.004222"
RESIDENCE_DEREGISTRATION = "1.004227"
CHILD_HEALTH_INSURANCE = "1.002716"
FUNERAL_ALLOWANCE = "1.002745"

PROCEDURES = [
    {
        "code": BIRTH_REGISTRATION, "name": "Đăng ký khai sinh", "agency_kind": COMMUNE_COMMITTEE,
        "fee": 0, "processing_days": 1, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": DECLARANT + [
            choice("declarant_relationship", "Quan hệ với người được khai sinh",
                   [("father", "Cha"), ("mother", "Mẹ"), ("grandparent", "Ông, bà"), ("relative", "Người thân khác")]),
            text("child_full_name", "Họ, chữ đệm, tên người được khai sinh"),
            typed("date", "child_date_of_birth", "Ngày, tháng, năm sinh", past_only=True),
            choice("child_gender", "Giới tính", GENDERS),
            text("child_birth_place", "Nơi sinh (cơ sở y tế)"),
            text("child_ethnicity", "Dân tộc", prefill="ethnicity"),
            text("child_nationality", "Quốc tịch", prefill="nationality"),
            text("other_parent_full_name", "Họ tên cha hoặc mẹ còn lại", required=False, prefill="spouse_name"),
            typed("personal_id", "other_parent_personal_id", "Số định danh của cha hoặc mẹ còn lại",
                  required=False, prefill="spouse_personal_id"),
            COMMUNE,
        ],
        "required_documents": [doc("medical_birth_certificate", "Giấy chứng sinh"),
                               doc("marriage_certificate", "Giấy chứng nhận kết hôn (nếu chưa có trong CSDL hộ tịch)", False)],
        "result_name": "Giấy khai sinh (bản điện tử)",
        "result_fields": [
            text("child_full_name", "Họ, chữ đệm, tên"),
            typed("date", "child_date_of_birth", "Ngày sinh", past_only=True),
            choice("child_gender", "Giới tính", GENDERS),
            typed("personal_id", "child_personal_id", "Số định danh cá nhân được cấp"),
            text("registration_number", "Số đăng ký khai sinh"),
        ],
    },
    {
        "code": DEATH_REGISTRATION, "name": "Đăng ký khai tử", "agency_kind": COMMUNE_COMMITTEE,
        "fee": 0, "processing_days": 1, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": DECLARANT + [
            choice("declarant_relationship", "Quan hệ với người chết",
                   [("spouse", "Vợ, chồng"), ("child", "Con"), ("parent", "Cha, mẹ"), ("relative", "Người thân khác")]),
            text("deceased_full_name", "Họ, chữ đệm, tên người chết"),
            typed("personal_id", "deceased_personal_id", "Số định danh cá nhân người chết"),
            typed("date", "date_of_death", "Ngày chết", past_only=True),
            text("place_of_death", "Nơi chết"),
            text("cause_of_death", "Nguyên nhân chết", required=False),
            COMMUNE,
        ],
        "required_documents": [doc("death_notice", "Giấy báo tử hoặc giấy tờ thay giấy báo tử")],
        "result_name": "Trích lục khai tử (bản điện tử)",
        "result_fields": [
            text("deceased_full_name", "Họ, chữ đệm, tên người chết"),
            typed("personal_id", "deceased_personal_id", "Số định danh cá nhân"),
            typed("date", "date_of_death", "Ngày chết", past_only=True),
            text("registration_number", "Số đăng ký khai tử"),
        ],
    },
    {
        "code": PERMANENT_RESIDENCE, "name": "Đăng ký thường trú", "agency_kind": PROVINCIAL_POLICE,
        "fee": 10_000, "processing_days": 7, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": [
            text("registrant_full_name", "Họ, chữ đệm, tên người đăng ký", prefill="full_name"),
            typed("personal_id", "registrant_personal_id", "Số định danh cá nhân người đăng ký", prefill="personal_id"),
            typed("date", "registrant_date_of_birth", "Ngày sinh", prefill="date_of_birth", past_only=True),
            text("new_address", "Địa chỉ đăng ký thường trú", prefill="current_address"),
            typed("personal_id", "household_head_personal_id", "Số định danh cá nhân chủ hộ"),
            choice("relation_to_head", "Quan hệ với chủ hộ",
                   [("head", "Chủ hộ"), ("spouse", "Vợ, chồng"), ("child", "Con"), ("parent", "Cha, mẹ"), ("other", "Khác")]),
            COMMUNE,
        ],
        "required_documents": [
            doc("proof_of_residence", "Giấy tờ chứng minh chỗ ở hợp pháp (khi chỗ ở chưa có trong CSDL)", False),
            doc("birth_certificate", "Giấy khai sinh (đăng ký cho trẻ em)", False),
        ],
        "result_name": "Thông báo kết quả đăng ký thường trú",
        "result_fields": [
            typed("personal_id", "registrant_personal_id", "Số định danh cá nhân"),
            text("permanent_address", "Địa chỉ thường trú"),
            typed("date", "registered_on", "Ngày đăng ký", past_only=True),
        ],
    },
    {
        "code": "1.004194", "name": "Đăng ký tạm trú", "agency_kind": PROVINCIAL_POLICE,
        "fee": 7_000, "processing_days": 3, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": APPLICANT + [
            text("temporary_address", "Địa chỉ đăng ký tạm trú"),
            typed("date", "stay_until", "Tạm trú đến ngày"),
            typed("commune_code", "commune_code", "Xã, phường nơi tạm trú"),
        ],
        "required_documents": [doc("proof_of_residence", "Hợp đồng thuê, mượn nhà hoặc giấy tờ chứng minh chỗ ở hợp pháp")],
        "result_name": "Thông báo kết quả đăng ký tạm trú",
        "result_fields": [text("temporary_address", "Địa chỉ tạm trú"), typed("date", "valid_until", "Có giá trị đến")],
    },
    {
        "code": RESIDENCE_DEREGISTRATION, "name": "Xóa đăng ký thường trú", "agency_kind": PROVINCIAL_POLICE,
        "fee": 0, "processing_days": 1, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": DECLARANT + [
            text("person_full_name", "Họ, chữ đệm, tên người bị xóa đăng ký thường trú"),
            typed("personal_id", "person_personal_id", "Số định danh cá nhân người bị xóa đăng ký"),
            choice("reason", "Lý do xóa đăng ký",
                   [("deceased", "Người đã chết"), ("settled_abroad", "Định cư ở nước ngoài"), ("other", "Trường hợp khác")]),
            COMMUNE,
        ],
        "required_documents": [doc("death_extract", "Trích lục khai tử (khi chưa có trong CSDL hộ tịch)", False)],
        "result_name": "Thông báo xóa đăng ký thường trú",
        "result_fields": [typed("personal_id", "person_personal_id", "Số định danh cá nhân"),
                          typed("date", "deregistered_on", "Ngày xóa đăng ký", past_only=True)],
    },
    {
        "code": "1.004873", "name": "Cấp Giấy xác nhận tình trạng hôn nhân", "agency_kind": COMMUNE_COMMITTEE,
        "fee": 15_000, "processing_days": 3, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": APPLICANT + [
            choice("marital_status", "Tình trạng hôn nhân", [("single", "Chưa kết hôn"), ("married", "Đang có vợ/chồng"),
                                                            ("divorced", "Đã ly hôn"), ("widowed", "Vợ/chồng đã chết")],
                   prefill="marital_status"),
            text("purpose", "Mục đích sử dụng giấy xác nhận"),
            COMMUNE,
        ],
        "required_documents": [doc("divorce_decision", "Bản án, quyết định ly hôn (nếu đã ly hôn)", False)],
        "result_name": "Giấy xác nhận tình trạng hôn nhân",
        "result_fields": [text("marital_status", "Tình trạng hôn nhân"), typed("date", "valid_until", "Có giá trị đến"),
                          text("confirmation_number", "Số giấy xác nhận")],
    },
    {
        "code": "2.000488", "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "agency_kind": JUSTICE_DEPARTMENT,
        "fee": 200_000, "processing_days": 10, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": APPLICANT + [
            choice("gender", "Giới tính", GENDERS, prefill="gender"),
            text("place_of_birth", "Nơi sinh", prefill="hometown"),
            text("permanent_address", "Nơi thường trú", prefill="permanent_address"),
            choice("certificate_type", "Loại phiếu", [("1", "Phiếu lý lịch tư pháp số 1"), ("2", "Phiếu lý lịch tư pháp số 2")]),
            typed("number", "copies", "Số lượng phiếu", min=1, max=10),
            text("purpose", "Mục đích sử dụng phiếu"),
        ],
        "required_documents": [],
        "result_name": "Phiếu lý lịch tư pháp (bản điện tử)",
        "result_fields": [text("certificate_number", "Số phiếu"), text("conclusion", "Nội dung xác nhận")],
    },
    {
        "code": CHILD_HEALTH_INSURANCE, "name": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "agency_kind": SOCIAL_INSURANCE, "fee": 0, "processing_days": 3, "service_level": FULLY_ONLINE, "min_level": 1,
        "form_fields": DECLARANT + [
            text("child_full_name", "Họ, chữ đệm, tên của trẻ"),
            typed("personal_id", "child_personal_id", "Số định danh cá nhân của trẻ"),
            typed("date", "child_date_of_birth", "Ngày sinh của trẻ", past_only=True),
            choice("child_gender", "Giới tính", GENDERS),
            text("initial_clinic", "Nơi đăng ký khám chữa bệnh ban đầu"),
            COMMUNE,
        ],
        "required_documents": [doc("birth_certificate", "Giấy khai sinh của trẻ")],
        "result_name": "Thẻ bảo hiểm y tế (bản điện tử)",
        "result_fields": [text("card_number", "Mã số thẻ BHYT"), typed("date", "valid_from", "Có giá trị từ"),
                          typed("date", "valid_until", "Có giá trị đến")],
    },
    {
        "code": FUNERAL_ALLOWANCE, "name": "Giải quyết hưởng trợ cấp mai táng", "agency_kind": SOCIAL_INSURANCE,
        "fee": 0, "processing_days": 5, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": [
            text("claimant_full_name", "Họ, chữ đệm, tên người lo mai táng", prefill="full_name"),
            typed("personal_id", "claimant_personal_id", "Số định danh cá nhân người lo mai táng", prefill="personal_id"),
            text("deceased_full_name", "Họ, chữ đệm, tên người chết"),
            typed("personal_id", "deceased_personal_id", "Số định danh cá nhân người chết"),
            typed("date", "date_of_death", "Ngày chết", past_only=True),
            choice("payment_method", "Hình thức nhận trợ cấp", [("bank", "Qua tài khoản ngân hàng"), ("cash", "Tiền mặt")]),
            text("bank_account", "Số tài khoản ngân hàng", required=False, max_length=30),
            COMMUNE,
        ],
        "required_documents": [doc("death_extract", "Trích lục khai tử")],
        "result_name": "Quyết định hưởng trợ cấp mai táng",
        "result_fields": [text("decision_number", "Số quyết định"), typed("number", "amount", "Số tiền trợ cấp (đồng)", min=0)],
    },
    {
        "code": "1.012384", "name": "Cấp đổi giấy phép lái xe", "agency_kind": PROVINCIAL_POLICE,
        "fee": 135_000, "processing_days": 5, "service_level": FULLY_ONLINE, "min_level": 2,
        "form_fields": APPLICANT + [
            text("licence_number", "Số giấy phép lái xe", max_length=20),
            choice("licence_class", "Hạng giấy phép", [(c, c) for c in ("A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE")]),
            typed("date", "licence_expiry", "Ngày hết hạn của giấy phép"),
            text("delivery_address", "Địa chỉ nhận giấy phép", prefill="current_address"),
            COMMUNE,
        ],
        "required_documents": [doc("health_certificate", "Giấy khám sức khỏe của người lái xe"),
                               doc("portrait_photo", "Ảnh chân dung", False)],
        "result_name": "Giấy phép lái xe",
        "result_fields": [text("licence_number", "Số giấy phép"), text("licence_class", "Hạng"),
                          typed("date", "valid_until", "Có giá trị đến")],
    },
    {
        "code": "1.000894", "name": "Đăng ký kết hôn", "agency_kind": COMMUNE_COMMITTEE,
        "fee": 0, "processing_days": 5, "service_level": PARTLY_ONLINE, "min_level": 2,
        "form_fields": APPLICANT + [
            text("partner_full_name", "Họ, chữ đệm, tên bên kia"),
            typed("personal_id", "partner_personal_id", "Số định danh cá nhân bên kia"),
            typed("date", "partner_date_of_birth", "Ngày sinh bên kia", past_only=True),
            COMMUNE,
        ],
        "required_documents": [],
        "result_name": "Giấy chứng nhận kết hôn",
        "result_fields": [text("registration_number", "Số đăng ký kết hôn"),
                          typed("date", "registered_on", "Ngày đăng ký", past_only=True)],
    },
    {
        "code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "agency_kind": COMMUNE_COMMITTEE,
        "fee": 8_000, "processing_days": 1, "service_level": FULLY_ONLINE, "min_level": 1,
        "form_fields": DECLARANT + [
            choice("extract_kind", "Loại trích lục", [("birth", "Khai sinh"), ("marriage", "Kết hôn"), ("death", "Khai tử")]),
            text("registration_number", "Số đăng ký (nếu biết)", required=False),
            typed("number", "copies", "Số bản sao", min=1, max=10),
            COMMUNE,
        ],
        "required_documents": [],
        "result_name": "Bản sao trích lục hộ tịch",
        "result_fields": [text("extract_number", "Số trích lục")],
    },
]

LINKED_PROCEDURES = [
    {
        "code": "LT-KS-TT-BHYT",
        "name": "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "processing_days": 3,
        "steps": [
            {"procedure_code": BIRTH_REGISTRATION},
            {"procedure_code": PERMANENT_RESIDENCE, "fee_exempt": True,  # children are exempt
             "fields_from_results": {"registrant_full_name": "child_full_name",
                                     "registrant_personal_id": "child_personal_id",
                                     "registrant_date_of_birth": "child_date_of_birth"},
             "documents_from_results": {"birth_certificate": 0},
             "presets": {"relation_to_head": "child"}},
            {"procedure_code": CHILD_HEALTH_INSURANCE,
             "fields_from_results": {"child_full_name": "child_full_name", "child_personal_id": "child_personal_id",
                                     "child_date_of_birth": "child_date_of_birth", "child_gender": "child_gender"},
             "documents_from_results": {"birth_certificate": 0}},
        ],
    },
    {
        "code": "LT-KT-XTT-MT",
        "name": "Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng trợ cấp mai táng",
        "processing_days": 5,
        "steps": [
            {"procedure_code": DEATH_REGISTRATION},
            {"procedure_code": RESIDENCE_DEREGISTRATION,
             "fields_from_results": {"person_full_name": "deceased_full_name",
                                     "person_personal_id": "deceased_personal_id"},
             "documents_from_results": {"death_extract": 0},
             "presets": {"reason": "deceased"}},
            {"procedure_code": FUNERAL_ALLOWANCE,
             "fields_from_results": {"deceased_full_name": "deceased_full_name",
                                     "deceased_personal_id": "deceased_personal_id",
                                     "date_of_death": "date_of_death"},
             "documents_from_results": {"death_extract": 0}},
        ],
    },
]
