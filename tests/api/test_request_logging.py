import json
import logging


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "app.request"]


def test_each_request_logs_one_line_with_request_id(client, app_logs):
    caplog = app_logs
    response = client.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    (record,) = _request_lines(caplog)
    assert record.request_id == request_id
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123-def-456"})
    assert response.headers["X-Request-ID"] == "abc-123-def-456"


def test_a_hostile_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_the_formatter_writes_json_and_masks_personal_data():
    from app.common.logging import MaskingJsonFormatter

    formatter = MaskingJsonFormatter("{levelname}{name}{message}", style="{")
    record = logging.LogRecord("app.x", logging.INFO, __file__, 1,
                               "login for 079123456789 from 0912345678", None, None)
    record.path = "/api/v1/registry/079123456789"
    line = formatter.format(record)
    data = json.loads(line)
    assert "079123456789" not in line and "0912345678" not in line
    assert data["message"] == "login for 079******789 from 091****678"
    assert data["path"] == "/api/v1/registry/079******789"


def test_generated_request_ids_survive_the_masking_of_the_log_line():
    from app.common.logging import new_request_id
    from app.common.masking import mask_text

    ids = [new_request_id() for _ in range(2000)]
    assert all(len(i) == 32 and mask_text(i) == i for i in ids)
    assert len(set(ids)) == 2000
