"""The catalog: public reading and search; administration by admins."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app.catalog import present, service
from app.catalog.schemas import (
    LinkedProcedureSchema, ProcedurePageSchema, ProcedureQuerySchema, ProcedureSchema,
    procedure_update_schema,
)
from app.common.api import ErrorSchema
from app.common.auth import require_role
from app.common.database import reads_only
from app.common.delegable import SUBMIT_DOSSIER, delegable
from app.common.roles import ADMIN

blp = Blueprint("catalog", __name__, description="Administrative procedures (public) and their administration")


@blp.route("/procedures")
class Procedures(MethodView):
    @reads_only
    @delegable(SUBMIT_DOSSIER)
    @blp.arguments(ProcedureQuerySchema, location="query")
    @blp.response(200, ProcedurePageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid filter or cursor")
    def get(self, args):
        """Search the procedures

        `q` ignores diacritics and case: `dang ky khai sinh` finds «Đăng ký khai sinh».
        """
        return present.page_json(service.list_procedures(**args))

    @require_role(ADMIN)
    @blp.arguments(ProcedureSchema)
    @blp.response(201, ProcedureSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A procedure with this code exists (`procedure_code_taken`)")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid procedure definition")
    def post(self, data):
        """Add a procedure (admin)"""
        return service.create_procedure(data)


@blp.route("/procedures/<uuid:procedure_id>")
class ProcedureById(MethodView):
    @delegable(SUBMIT_DOSSIER)
    @blp.response(200, ProcedureSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such procedure")
    def get(self, procedure_id):
        """Read one procedure: fields, documents, fee, processing time"""
        return service.get_procedure(procedure_id)

    @require_role(ADMIN)
    @blp.arguments(procedure_update_schema())
    @blp.response(200, ProcedureSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such procedure")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid change")
    def patch(self, changes, procedure_id):
        """Change a procedure (admin)"""
        return service.update_procedure(procedure_id, changes)


@blp.route("/procedures/<uuid:procedure_id>/retire")
class RetireProcedure(MethodView):
    @require_role(ADMIN)
    @blp.response(200, ProcedureSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such procedure")
    def post(self, procedure_id):
        """Retire a procedure (admin): no new dossiers, started ones go on"""
        return service.retire_procedure(procedure_id)


def _linked_view(linked):
    steps = service.linked_steps(linked)
    return {
        "id": linked.id, "code": linked.code, "name": linked.name, "processing_days": linked.processing_days,
        "steps": [{"position": i, "procedure": procedure, "fee_exempt": bool(step.get("fee_exempt")),
                   "fields_from_results": step.get("fields_from_results", {})}
                  for i, (step, procedure) in enumerate(steps)],
    }


@blp.route("/linked-procedures")
class LinkedProcedures(MethodView):
    @blp.response(200, LinkedProcedureSchema(many=True))
    def get(self):
        """List the linked procedures (liên thông): one submission, several agencies"""
        return [_linked_view(linked) for linked in service.list_linked_procedures()]


@blp.route("/linked-procedures/<uuid:linked_id>")
class LinkedProcedureById(MethodView):
    @blp.response(200, LinkedProcedureSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such linked procedure")
    def get(self, linked_id):
        """Read one linked procedure and its steps"""
        return _linked_view(service.get_linked_procedure(linked_id))
