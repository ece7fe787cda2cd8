"""The signed-cookie session (the OpenID provider's login pages) is opened only when the request
carries its cookie (app/common/cookie_session.py); what a session holds behaves as Flask's own."""
from tests.factories import AccountFactory, bearer


def test_an_api_answer_sets_no_cookie_and_does_not_vary_on_it(client):
    answer = client.get("/_probe/auth/me", headers=bearer(AccountFactory()))
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert "cookie" not in answer.headers.get("Vary", "").lower()


def test_a_session_written_is_read_back_from_its_signed_cookie(client):
    written = client.post("/_probe/session/hello")
    assert written.status_code == 200 and "session=" in written.headers["Set-Cookie"]
    assert "HttpOnly" in written.headers["Set-Cookie"]
    assert client.get("/_probe/session").get_json() == {"probe": "hello"}


def test_a_forged_cookie_gives_an_empty_session(client):
    client.post("/_probe/session/hello")
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"))
    assert client.get("/_probe/session").get_json() == {"probe": None}


def test_a_cleared_session_deletes_its_cookie(client):
    client.post("/_probe/session/hello")
    cleared = client.delete("/_probe/session")
    assert "session=;" in cleared.headers["Set-Cookie"] and "Expires=Thu, 01 Jan 1970" in cleared.headers["Set-Cookie"]
    assert client.get_cookie("session") is None
    assert client.get("/_probe/session").get_json() == {"probe": None}
