"""The catalog's errors: one class per stable code."""
from app.errors import N_, Conflict, NotFound


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"
    message = N_("No procedure has this id.")


class LinkedProcedureNotFound(NotFound):
    code = "linked_procedure_not_found"
    message = N_("No linked procedure has this id.")


class ProcedureCodeTaken(Conflict):
    code = "procedure_code_taken"
    message = N_("A procedure with this code already exists.")
