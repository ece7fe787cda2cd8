"""Dossiers: the citizen's applications, the officers' inbox and workflow, linked bundles."""
from flask.views import MethodView

from app.common.api import refusals_for
from app.common.auth import current_principal, require_auth, require_role
from app.common.database import reads_only
from app.common.delegable import (
    DOSSIER_OF_NAMED_PROCEDURE, NAMED_PROCEDURE, READ_STATUS, SUBMIT_DOSSIER, delegable,
)
from app.common.idempotency import idempotent
from app.common.pagination import PageArgsSchema
from app.dossiers import bundles, desk, documents, present, results, service
from app.dossiers.multipart import Blueprint
from app.dossiers.schemas import (
    BundlePageSchema, BundleSchema, DeskIntakeSchema, DocumentSchema, DossierPageSchema, DossierSchema, FormUpdateSchema,
    InboxQuerySchema, IssueResultSchema, MyDossiersQuerySchema, ResultSchema, ReuseSchema,
    StartBundleSchema, StartDossierSchema, TimelineEntrySchema, TransitionSchema, DocumentUploadSchema,
    WithdrawSchema,
)
from app.common.roles import ADMIN, APPROVER, CITIZEN, LEADER, OFFICER

blp = Blueprint("dossiers", __name__, description="Dossiers: submission, workflow, linked procedures")


def _account():
    return current_principal().account_id


_errors = refusals_for(blp)


NOT_FOUND = (404, "No such dossier, or not yours")
INVALID = (422, "A field is missing or not valid (one error per field)")
CONFLICT = (409, "Not possible in the dossier's current state, or changed meanwhile (`stale_version`)")


@blp.route("")
class Dossiers(MethodView):
    @reads_only
    @delegable(READ_STATUS, act="status_read")
    @require_role(CITIZEN)
    @blp.arguments(MyDossiersQuerySchema, location="query")
    @blp.response(200, DossierPageSchema)
    def get(self, args):
        """List my dossiers, newest first"""
        return present.page_json(service.my_dossiers(current_principal(), **args))

    @delegable(SUBMIT_DOSSIER, act="dossier_started", target="dossier", check=NAMED_PROCEDURE)
    @require_role(CITIZEN)
    @blp.arguments(StartDossierSchema)
    @idempotent("dossier-start", owner=_account)
    @blp.response(201, DossierSchema)
    @_errors((404, "No such procedure"), (409, "The procedure is retired (`procedure_retired`)"),
             (422, "No agency handles the procedure for your commune (`no_competent_agency`)"))
    def post(self, args):
        """Start a dossier, prefilled from the population registry

        Each field says where its value came from (`source`, `fetched_at`).
        """
        principal = current_principal()
        return present.dossier_view(service.start_dossier(principal, args["procedure_id"]), principal)


@blp.route("/desk")
class DeskIntake(MethodView):
    @require_role(OFFICER)
    @blp.arguments(DeskIntakeSchema)
    @idempotent("dossier-desk", owner=_account)
    @blp.response(201, DossierSchema)
    @_errors((404, "No such procedure (`procedure_not_found`), or no living citizen with this personal id "
                   "(`citizen_not_found`)"),
             (403, "You are not an officer of the competent agency and commune (`out_of_scope`)"),
             (409, "The procedure is retired (`procedure_retired`), or `receive` while the fee is unpaid "
                   "(`fee_unpaid`)"),
             (422, "The citizen has no active e-ID account (`citizen_account_required`), form errors per field, "
                   "required documents neither on paper nor attached (`documents_missing`)"))
    def post(self, args):
        """Take a dossier a citizen brings on paper to the one-stop-shop desk

        Submitted in the citizen's name (their e-ID account owns it and pays its fee in the
        app) with `channel` desk: receipt code, due date and the citizen's notification as
        an online submission. The form is prefilled from the population registry and
        checked as a submission is.
        """
        principal = current_principal()
        dossier = desk.submit_at_desk(principal, args["personal_id"], args["procedure_id"], args["values"],
                                      paper_documents=args["paper_documents"], receive=args["receive"])
        return present.dossier_view(dossier, principal)


@blp.route("/inbox")
class Inbox(MethodView):
    @reads_only
    @require_role(OFFICER, APPROVER)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, DossierPageSchema)
    def get(self, args):
        """The officer's inbox: dossiers of their agency and commune, newest first"""
        return present.page_json(service.inbox(current_principal(), **args))


@blp.route("/<uuid:dossier_id>")
class DossierById(MethodView):
    @reads_only
    @delegable(SUBMIT_DOSSIER, act="dossier_read", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN, OFFICER, APPROVER, ADMIN, LEADER)
    @blp.response(200, DossierSchema)
    @_errors(NOT_FOUND, (403, "Outside your agency or commune (`out_of_scope`)"))
    def get(self, dossier_id):
        """Read a dossier: fields with their sources, documents, fee, due date, allowed actions"""
        principal = current_principal()
        return present.dossier_json(service.get_dossier(principal, dossier_id), principal)


@blp.route("/<uuid:dossier_id>/form")
class DossierForm(MethodView):
    @delegable(SUBMIT_DOSSIER, act="dossier_form_filled", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN)
    @blp.arguments(FormUpdateSchema)
    @blp.response(200, DossierSchema)
    @_errors(NOT_FOUND, CONFLICT, INVALID)
    def patch(self, args, dossier_id):
        """Fill in or change form values (draft, or when a supplement is requested)

        A changed registry value is kept, and flagged for the officer.
        """
        principal = current_principal()
        dossier = service.update_form(principal, dossier_id, args["values"], args.get("version"))
        return present.dossier_view(dossier, principal)


@blp.route("/<uuid:dossier_id>/submit")
class SubmitDossier(MethodView):
    @delegable(SUBMIT_DOSSIER, act="dossier_submitted", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN)
    @idempotent("dossier-submit", owner=_account)
    @blp.response(200, DossierSchema)
    @_errors(NOT_FOUND, (403, "The procedure needs a higher e-ID level (`step_up_required`)"),
             (409, "Already submitted, part of a bundle, or the procedure is retired"),
             (422, "Invalid or missing fields, or missing documents (`documents_missing`)"))
    def post(self, dossier_id):
        """Submit a dossier: receipt code and due date in working days"""
        principal = current_principal()
        return present.dossier_view(service.submit_dossier(principal, dossier_id), principal)


@blp.route("/<uuid:dossier_id>/transitions")
class DossierTransitions(MethodView):
    @require_role(CITIZEN, OFFICER, APPROVER)
    @blp.arguments(TransitionSchema)
    @idempotent("dossier-transition", owner=_account)
    @blp.response(200, DossierSchema)
    @_errors(NOT_FOUND, (403, "Your role, scope or assignment does not allow this action; a second supplement "
                           "request is the leader's (`leader_approval_required`)"),
             (409, "Not possible in the current state (`transition_not_allowed`), fee unpaid (`fee_unpaid`), "
                   "or changed meanwhile (`stale_version`)"),
             (422, "A reason is required (`reason_required`), a reason code from the list "
                   "(`reason_code_required`), or the assignee is not valid"))
    def post(self, args, dossier_id):
        """Move a dossier through the workflow

        Citizens: withdraw, resubmit. Officers: receive, return, assign, request_supplement,
        propose. Approvers: approve, reject, send_back, and a second request_supplement.
        Returns and supplement requests carry a `reason_code` besides the `reason` text.
        """
        principal = current_principal()
        dossier = service.apply_transition(
            principal, dossier_id, args["action"], reason=args.get("reason"),
            assignee_id=args.get("assignee_id"), expected_version=args.get("version"),
            reason_code=args.get("reason_code"))
        return present.dossier_view(dossier, principal)


@blp.route("/<uuid:dossier_id>/timeline")
class DossierTimeline(MethodView):
    @delegable(SUBMIT_DOSSIER, target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN, OFFICER, APPROVER, ADMIN, LEADER)
    @blp.response(200, TimelineEntrySchema(many=True))
    @_errors(NOT_FOUND, (403, "Outside your agency or commune"))
    def get(self, dossier_id):
        """The dossier's timeline, oldest first"""
        return service.timeline(current_principal(), dossier_id)


@blp.route("/<uuid:dossier_id>/documents")
class DossierDocuments(MethodView):
    @delegable(SUBMIT_DOSSIER, act="document_uploaded", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN)
    @blp.arguments(DocumentUploadSchema, location="multipart")
    @blp.response(201, DocumentSchema)
    @_errors(NOT_FOUND, CONFLICT, (413, "The file is over the upload limit (`file_too_large`)"),
             (422, "Not a PDF, JPEG or PNG by content (`unsupported_file_type`), or unknown document code"))
    def post(self, args, dossier_id):
        """Upload a document (PDF, JPEG or PNG; the type is read from the content)"""
        upload = args["file"]
        return documents.upload_document(current_principal(), dossier_id, args["code"],
                                         upload.read(), upload.filename)


@blp.route("/<uuid:dossier_id>/documents/reuse")
class ReuseDocument(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(ReuseSchema)
    @blp.response(201, DocumentSchema)
    @_errors((404, "No such dossier or result, or not yours"), CONFLICT, INVALID)
    def post(self, args, dossier_id):
        """Attach a digitized result you already hold instead of uploading"""
        return documents.reuse_result(current_principal(), dossier_id, args["code"], args["result_id"])


@blp.route("/<uuid:dossier_id>/documents/<uuid:document_id>")
class DossierDocument(MethodView):
    @delegable(SUBMIT_DOSSIER, act="document_removed", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    @require_role(CITIZEN)
    @blp.response(204)
    @_errors((404, "No such dossier or document"), CONFLICT)
    def delete(self, dossier_id, document_id):
        """Remove a document (draft, or when a supplement is requested)"""
        documents.delete_document(current_principal(), dossier_id, document_id)


@blp.route("/<uuid:dossier_id>/documents/<uuid:document_id>/file")
class DossierDocumentFile(MethodView):
    @require_auth
    @blp.response(200, description="The file, with its sniffed content type", content_type="application/octet-stream")
    @_errors((404, "No such dossier or document"), (403, "Outside your agency or commune"))
    def get(self, dossier_id, document_id):
        """Download a document of a dossier"""
        document, data = documents.document_file(current_principal(), dossier_id, document_id)
        return present.file_response(data, document.content_type, document.filename)


@blp.route("/<uuid:dossier_id>/result")
class DossierResult(MethodView):
    @require_role(CITIZEN, OFFICER, APPROVER)
    @blp.response(200, ResultSchema)
    @_errors((404, "No such dossier, or no result yet"), (403, "Outside your agency or commune"))
    def get(self, dossier_id):
        """The dossier's digitized result"""
        return results.result_of_dossier(current_principal(), dossier_id)

    @require_role(APPROVER)
    @blp.arguments(IssueResultSchema, location="multipart")
    @blp.response(201, ResultSchema)
    @_errors(NOT_FOUND, (403, "Outside your agency or commune"), CONFLICT,
             (413, "The file is over the upload limit"),
             (422, "Result data not valid (`invalid_result_data`), or file not PDF, JPEG or PNG"))
    def post(self, args, dossier_id):
        """Issue the approved dossier's digitized result (file plus structured data)"""
        upload = args["file"]
        return results.issue_result(current_principal(), dossier_id, data=upload.read(),
                                    filename=upload.filename, values=args["data"],
                                    expected_version=args.get("version"))


# -- linked procedures --------------------------------------------------------------------

@blp.route("/bundles")
class Bundles(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, BundlePageSchema)
    def get(self, args):
        """List my linked-procedure bundles"""
        page = bundles.my_bundles(current_principal(), **args)
        return {"items": [present.bundle_view(b) for b in page["items"]], "next_cursor": page["next_cursor"]}

    @require_role(CITIZEN)
    @blp.arguments(StartBundleSchema)
    @idempotent("bundle-start", owner=_account)
    @blp.response(201, BundleSchema)
    @_errors((404, "No such linked procedure"), (409, "Not available (a step is retired)"),
             (422, "No agency handles a step for your commune"))
    def post(self, args):
        """Start linked procedures: one prefilled draft per agency, submitted together"""
        return present.bundle_view(bundles.start_bundle(current_principal(), args["linked_procedure_id"]))


@blp.route("/bundles/<uuid:bundle_id>")
class BundleById(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, BundleSchema)
    @_errors((404, "No such bundle, or not yours"))
    def get(self, bundle_id):
        """Follow a bundle: one status, one due date, each agency's dossier"""
        return present.bundle_view(bundles.get_bundle(current_principal(), bundle_id))


@blp.route("/bundles/<uuid:bundle_id>/submit")
class SubmitBundle(MethodView):
    @require_role(CITIZEN)
    @idempotent("bundle-submit", owner=_account)
    @blp.response(200, BundleSchema)
    @_errors((404, "No such bundle, or not yours"), (403, "A step needs a higher e-ID level"),
             (409, "Already submitted"), (422, "Errors by dossier id, then by field"))
    def post(self, bundle_id):
        """Submit the bundle once: the first agency starts, the others follow"""
        return present.bundle_view(bundles.submit_bundle(current_principal(), bundle_id))


@blp.route("/bundles/<uuid:bundle_id>/withdraw")
class WithdrawBundle(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(WithdrawSchema)
    @blp.response(200, BundleSchema)
    @_errors((404, "No such bundle, or not yours"), (409, "Already received or ended"))
    def post(self, args, bundle_id):
        """Withdraw the bundle before its current dossier is received"""
        return present.bundle_view(bundles.withdraw_bundle(current_principal(), bundle_id, args.get("reason")))
