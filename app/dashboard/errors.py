"""The dashboard's errors: one class per stable code."""
from app.errors import N_, NotFound, ValidationFailed


class PeriodBeforeDayRows(ValidationFailed):
    code = "period_before_day_rows"
    message = N_("Figures before %(day)s are kept by month only: start the period on the first day of a "
                 "month and end it on the last day of a month, or choose later days.")


class TableNotFound(NotFound):
    code = "table_not_found"
    message = N_("No figure table has this name.")
