"""Flask's signed-cookie session, opened only when the request carries one.

Only the OpenID provider's login pages keep a session. Without this, every API
request built the signing serializer to open an empty session and, at its end,
read seven cookie settings to find nothing to save. Behaviour is Flask's own:
no cookie gives an empty session; an empty session never touched sets nothing.
"""
from flask.sessions import SecureCookieSessionInterface


class SessionOnlyWhenSent(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)
