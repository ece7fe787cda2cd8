"""The seeded report categories and the provincial departments that handle some of them.

An admin may edit the categories afterwards (name, deadline, public flag, photo
rule, responsible agency types); the seed never overwrites an existing one.
"""
from app.catalog.public import COMMUNE_COMMITTEE, PROVINCIAL_POLICE

CONSTRUCTION = "construction_department"
AGRICULTURE_ENVIRONMENT = "agri_environment_department"   # agencies.kind holds 30 characters
HEALTH = "health_department"
INSPECTORATE = "provincial_inspectorate"

# (code prefix, kind, name template): departments the catalog does not seed
DEPARTMENTS = (
    ("SXD", CONSTRUCTION, "Sở Xây dựng {province}"),
    ("SNNMT", AGRICULTURE_ENVIRONMENT, "Sở Nông nghiệp và Môi trường {province}"),
    ("SYT", HEALTH, "Sở Y tế {province}"),
    ("TTRA", INSPECTORATE, "Thanh tra tỉnh {province}"),
)

POLE_NUMBER = {"variable": True, "code": "pole_number", "datatype": "string", "required": False,
               "datatype_description": "Số hiệu cột đèn, ví dụ CD-0123",
               "order": 1, "description": "Street-light pole number (số hiệu cột đèn)"}
LIGHT_FAULT = {"variable": True, "code": "fault", "datatype": "singlevaluelist", "required": False,
               "datatype_description": None, "order": 2, "description": "What is wrong with the light",
               "values": [{"key": "off", "name": "Đèn không sáng"}, {"key": "flicker", "name": "Đèn chập chờn"},
                          {"key": "day", "name": "Đèn sáng ban ngày"}]}


def _category(code, name, name_en, group, handled_at, commune_kind, province_kind, days, *, public=True,
              photo="optional", attributes=(), description=""):
    return {"code": code, "name": name, "name_en": name_en, "group": group, "handled_at": handled_at,
            "agency_kinds": {"commune": commune_kind, "province": province_kind}, "deadline_days": days,
            "public": public, "photo_rule": photo, "attributes": list(attributes), "description": description}


CATEGORIES = (
    _category("roads_bridges", "Giao thông, cầu đường hư hỏng", "Roads and bridges", "Hạ tầng",
              "commune", COMMUNE_COMMITTEE, CONSTRUCTION, 5, photo="required",
              description="Ổ gà, sụt lún, cầu hư hỏng, biển báo mất"),
    _category("street_lighting", "Chiếu sáng công cộng", "Street lighting", "Hạ tầng",
              "commune", COMMUNE_COMMITTEE, CONSTRUCTION, 3, attributes=(POLE_NUMBER, LIGHT_FAULT),
              description="Đèn đường không sáng, chập chờn, sáng ban ngày"),
    _category("waste_environment", "Rác thải, ô nhiễm môi trường", "Waste and environment", "Môi trường",
              "commune", COMMUNE_COMMITTEE, AGRICULTURE_ENVIRONMENT, 3, photo="required",
              description="Rác không được thu gom, đổ trộm chất thải, ô nhiễm"),
    _category("water_drainage", "Cấp thoát nước, ngập úng", "Water and drainage", "Hạ tầng",
              "province", COMMUNE_COMMITTEE, CONSTRUCTION, 5,
              description="Vỡ ống nước, cống tắc, ngập úng"),
    _category("traffic_order", "Trật tự giao thông, trật tự công cộng", "Traffic and public order", "An ninh trật tự",
              "province", COMMUNE_COMMITTEE, PROVINCIAL_POLICE, 3,
              description="Lấn chiếm vỉa hè, đậu xe sai quy định, gây mất trật tự"),
    _category("trees_parks", "Cây xanh, công viên", "Trees and parks", "Môi trường",
              "commune", COMMUNE_COMMITTEE, CONSTRUCTION, 5,
              description="Cây gãy đổ, cây nguy hiểm, công viên xuống cấp"),
    _category("food_safety", "An toàn thực phẩm", "Food safety", "Y tế",
              "province", COMMUNE_COMMITTEE, HEALTH, 5,
              description="Cơ sở kinh doanh thực phẩm mất vệ sinh, thực phẩm không rõ nguồn gốc"),
    _category("officials_conduct", "Thái độ, hành vi của cán bộ", "Officials' conduct", "Công vụ",
              "province", COMMUNE_COMMITTEE, INSPECTORATE, 10, public=False,
              description="Cán bộ gây phiền hà, sách nhiễu, đòi tiền (không bao giờ công khai)"),
    _category("other", "Khác", "Other", "Khác",
              "commune", COMMUNE_COMMITTEE, CONSTRUCTION, 7),
)
