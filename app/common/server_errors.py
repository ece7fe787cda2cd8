"""gunicorn's own error answers in the API's JSON envelope.

gunicorn refuses some requests before the app sees them (request line or
headers over the limits in gunicorn.conf.py, malformed HTTP) and writes an
HTML page for them. `install_json_error_pages()` (called from gunicorn's
`on_starting` hook) replaces that page with the envelope every other error
uses, `{code, status, message, errors}`. There is no request context there, so
the message is Vietnamese (the default language) with the English after it.
"""
import json

import gunicorn.util

# status -> (code, Vietnamese message, English message)
SERVER_ERRORS = {
    400: ("bad_request", "Yêu cầu không hợp lệ.", "The request is not valid."),
    403: ("forbidden", "Bạn không được phép làm việc này.", "You are not allowed to do this."),
    414: ("uri_too_long", "Địa chỉ yêu cầu quá dài.", "The request line is too long."),
    417: ("expectation_failed", "Yêu cầu không hợp lệ.", "The request is not valid."),
    431: ("headers_too_large", "Phần đầu của yêu cầu quá lớn.", "The request headers are too large."),
    500: ("internal_error", "Đã xảy ra lỗi ngoài dự kiến. Lỗi đã được ghi lại.",
          "An unexpected error occurred. It has been logged."),
    501: ("not_implemented", "Máy chủ không hỗ trợ yêu cầu này.", "The server does not support this request."),
}


def error_response(status: int, reason: str) -> bytes:
    code, vietnamese, english = SERVER_ERRORS.get(status, SERVER_ERRORS[400])
    body = json.dumps({"code": code, "status": status, "message": f"{vietnamese} ({english})",
                       "errors": {}}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def write_json_error(sock, status_int, reason, mesg):
    gunicorn.util.write_nonblock(sock, error_response(int(status_int), reason))


def install_json_error_pages() -> None:
    gunicorn.util.write_error = write_json_error
