"""What `/` shows: links for a newcomer and the demo accounts (development), or the API's index."""
from html import escape

from app.common.pages import link, page
from app.demo import facts

TEXT = {
    "vi": {"title": "Smart Province – máy chủ phát triển",
           "intro": "Backend của ứng dụng công dân tỉnh thông minh: định danh điện tử, hồ sơ thủ tục hành chính, "
                    "thanh toán lệ phí, thông báo, tổ công nghệ số cộng đồng và số liệu điều hành. "
                    "Trang này chỉ có ở môi trường phát triển.",
           "links": "Liên kết", "api_docs": "Tài liệu API tương tác (Swagger UI)", "openapi": "Tài liệu OpenAPI (JSON)",
           "ioc": "Trung tâm điều hành (IOC): đăng nhập bằng demo.leader",
           "mock": "Cổng thanh toán giả lập (VNPay, MoMo, PayGov): các giao dịch",
           "messages": "Tin nhắn đã \"gửi\" (SMS, push, e-mail giả lập)", "demo": "Dữ liệu demo (JSON)",
           "guide": "Hướng dẫn: README.md và thư mục docs/ trong mã nguồn; mỗi ví dụ ở đó đều chạy được.",
           "token": "Lấy token khi phát triển: POST /api/v1/dev/tokens {\"login\": \"demo.officer\"}, "
                    "hoặc đăng nhập thật bằng mật khẩu và mã TOTP dưới đây.",
           "accounts": "Tài khoản demo", "password": "Mật khẩu của mọi tài khoản",
           "who": "Ai", "login": "Đăng nhập", "totp": "Khóa TOTP", "where": "Cơ quan / xã",
           "register": "Công dân chưa có tài khoản (để đăng ký)", "resident": "Cư dân chưa có tài khoản (tổ CNS hỗ trợ)",
           "level1": "Công dân mức 1", "level2": "Công dân mức 2 (đã gắn điện thoại)",
           "verify": "Kiểm tra kết quả số hóa", "payable": "Hồ sơ chờ nộp lệ phí"},
    "en": {"title": "Smart Province – development server",
           "intro": "The backend of a provincial citizen app: e-ID, dossiers for administrative procedures, "
                    "fees, notifications, community digital-tech teams and operations-centre figures. "
                    "This page exists in development only.",
           "links": "Links", "api_docs": "Interactive API docs (Swagger UI)", "openapi": "OpenAPI document (JSON)",
           "ioc": "Operations centre (IOC): log in as demo.leader",
           "mock": "Mock payment gateways (VNPay, MoMo, PayGov): transactions",
           "messages": "Messages \"sent\" (mock SMS, push, e-mail)", "demo": "The demo (JSON)",
           "guide": "Guides: README.md and the docs/ folder of the repository; every example there runs.",
           "token": "A token in development: POST /api/v1/dev/tokens {\"login\": \"demo.officer\"}, "
                    "or log in for real with the password and the TOTP secret below.",
           "accounts": "Demo accounts", "password": "Password of every account",
           "who": "Who", "login": "Login", "totp": "TOTP secret", "where": "Agency / commune",
           "register": "Citizen without an account (to register)", "resident": "Resident without an account (team visit)",
           "level1": "Citizen, level 1", "level2": "Citizen, level 2 (bound phone)",
           "verify": "Verify a digitized result", "payable": "Dossier waiting for its fee"},
}


def index(public_url: str) -> dict:
    """Production: where the API and its documents are."""
    api = f"{public_url}/api/v1"
    return {"name": "Smart Province API", "api": api, "openapi": f"{api}/openapi.json", "docs": f"{api}/docs",
            "health": f"{public_url}/healthz", "ready": f"{public_url}/readyz"}


def development_page(public_url: str, province_code: str, locale: str, *, mock_gateways: bool) -> str:
    text = TEXT.get(locale, TEXT["vi"])
    demo = facts.demo_facts(public_url, province_code)
    api = demo["api"]
    links = [(f"{api}/docs", text["api_docs"]), (f"{api}/openapi.json", text["openapi"]),
             (f"{public_url}/ioc", text["ioc"])]
    if mock_gateways:
        links.append((f"{public_url}/mock/vnpay/_control/transactions", text["mock"]))
    links += [(f"{api}/dev/messages", text["messages"]), (f"{api}/dev/demo", text["demo"])]
    body = [f"<h1>{escape(text['title'])}</h1>", f"<p>{escape(text['intro'])}</p>",
            f"<h2>{escape(text['links'])}</h2><ul>",
            *(f"<li>{link(href, label)}</li>" for href, label in links), "</ul>",
            f"<p>{escape(text['guide'])}</p>", f"<p>{escape(text['token'])}</p>",
            f"<h2 id=\"accounts\">{escape(text['accounts'])}</h2>",
            f"<p>{escape(text['password'])}: <code>{escape(demo['password'])}</code></p>",
            f"<table><tr><th>{escape(text['who'])}</th><th>{escape(text['login'])}</th>"
            f"<th>{escape(text['totp'])}</th><th>{escape(text['where'])}</th></tr>"]
    for member in demo["staff"]:
        body.append(_row(member["role"], member["login"], member["totp_secret"],
                         member["agency_code"] or member["commune_code"] or ""))
    for key, label in (("citizen_level1", "level1"), ("citizen_level2", "level2")):
        if demo[key]:
            body.append(_row(text[label], demo[key]["login"], demo[key].get("totp_secret", ""), ""))
    for key, label in (("citizen_to_register", "register"), ("resident_without_account", "resident")):
        if demo[key]:
            person = demo[key]
            body.append(_row(text[label], f"{person['personal_id']} · {person['full_name']} · "
                                          f"{person['date_of_birth']} · {person['phone']}", "", person["commune_code"]))
    body.append("</table><ul>")
    if demo["payable_dossier"]:
        body.append(f"<li>{escape(text['payable'])}: <code>{escape(demo['payable_dossier']['receipt_code'])}</code></li>")
    if demo["result"]:
        body.append(f"<li>{link(demo['result']['verify_url'], text['verify'])}</li>")
    body.append("</ul>")
    return page(text["title"], "".join(body), locale)


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells) + "</tr>"
