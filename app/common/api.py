"""flask-smorest Api with the project's error envelope and locally served docs."""
from pathlib import Path

import marshmallow as ma
import swagger_ui_bundle
from flask import Blueprint, send_from_directory
from flask_smorest import Api as SmorestApi


def refusals_for(blp):
    """The `refusals(...)` decorator of a blueprint: documents an endpoint's error answers.

        refusals = refusals_for(blp)
        @refusals((404, "No such dossier"), (422, "A field is not valid"))
    """
    def refusals(*pairs):
        def decorator(view):
            for status, description in reversed(pairs):
                view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
            return view
        return decorator
    return refusals


class ErrorSchema(ma.Schema):
    """The one error envelope (documentation only; `app.errors` renders it)."""

    code = ma.fields.String(metadata={"description": "Stable machine code", "example": "not_found"})
    status = ma.fields.Integer(metadata={"description": "HTTP status", "example": 404})
    message = ma.fields.String(metadata={
        "description": "Human message in the language asked by Accept-Language (vi by default)",
        "example": "Không tìm thấy tài nguyên.",
    })
    errors = ma.fields.Dict(metadata={
        "description": "Field errors: field name to list of messages",
        "example": {},
    })


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Handlers live in `app.errors`, registered by the factory."""

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        _serve_swagger_ui_assets(app)
        self.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        )


def _serve_swagger_ui_assets(app):
    """Swagger UI's files come from the swagger-ui-bundle package, not a CDN."""
    assets = Path(swagger_ui_bundle.swagger_ui_path)
    bp = Blueprint("swagger_ui_assets", __name__)

    @bp.get("/api/v1/docs/assets/<path:filename>")
    def swagger_asset(filename):
        return send_from_directory(assets, filename, max_age=3600)

    app.register_blueprint(bp)
