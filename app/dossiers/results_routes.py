"""The personal document store (digitized results) and the public verification of results."""
from flask import current_app, request, url_for
from flask.views import MethodView

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_role
from app.common.pagination import PageArgsSchema
from app.dossiers import present, results
from app.dossiers.multipart import Blueprint
from app.dossiers.schemas import ResultPageSchema, ResultSchema, VerificationSchema
from app.extensions import limiter
from app.common.roles import CITIZEN

blp = Blueprint("results", __name__, description="My documents (digitized results) and their public verification")

verify_limit = limiter.shared_limit(
    lambda: current_app.config.get("RESULT_VERIFY_RATE_LIMIT", "60/minute"), scope="results-verify")


@blp.route("")
class MyResults(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ResultPageSchema)
    def get(self, args):
        """My documents: the digitized results issued to me, newest first"""
        return results.my_results(current_principal(), **args)


@blp.route("/<uuid:result_id>")
class ResultById(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, ResultSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such result, or not yours")
    def get(self, result_id):
        """One of my documents, with its data and verification code"""
        return results.get_result(current_principal(), result_id)


@blp.route("/<uuid:result_id>/file")
class ResultFile(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, description="The result's file", content_type="application/octet-stream")
    @blp.alt_response(404, schema=ErrorSchema, description="No such result, or not yours")
    def get(self, result_id):
        """Download one of my documents"""
        result = results.get_result(current_principal(), result_id)
        return present.file_response(results.result_file(result), result.content_type, result.filename)


@blp.route("/<uuid:result_id>/qr.png")
class ResultQr(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, description="QR code (PNG) of the public verification address", content_type="image/png")
    @blp.alt_response(404, schema=ErrorSchema, description="No such result, or not yours")
    def get(self, result_id):
        """The QR code that lets anyone verify this document"""
        result = results.get_result(current_principal(), result_id)
        path = url_for("results.ResultVerification", code=result.verification_code)
        png = results.verification_qr_png(request.host_url.rstrip("/") + path)
        return present.file_response(png, "image/png", f"{result.verification_code}.png")


@blp.route("/verify/<string:code>")
class ResultVerification(MethodView):
    @verify_limit
    @blp.response(200, VerificationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No result was issued with this code (`not_genuine`)")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many checks from this address")
    def get(self, code):
        """Verify a result (public; what its QR code opens): genuine, issuer and date only"""
        return results.verify(code)
