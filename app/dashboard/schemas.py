"""Query arguments and responses of the figures."""
import marshmallow as ma

from app.errors import N_

COMMUNE_CODE = {"description": "5-digit commune code (GSO)", "example": "27727"}


class CommuneArgsSchema(ma.Schema):
    commune_code = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[0-9]{5}$"),
                                    metadata=COMMUNE_CODE)


class PeriodCommuneArgsSchema(CommuneArgsSchema):
    start = ma.fields.Date(data_key="from", load_default=None, metadata={
        "description": "First day of the period (Vietnam time), inclusive", "example": "2026-01-01"})
    end = ma.fields.Date(data_key="to", load_default=None, metadata={
        "description": "Last day of the period (Vietnam time), inclusive", "example": "2026-12-31"})

    @ma.validates_schema
    def period_in_order(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ma.ValidationError(N_("The period ends before it starts."), field_name="to")


class FilterArgsSchema(PeriodCommuneArgsSchema):
    agency_id = ma.fields.UUID(load_default=None, metadata={
        "description": "Only dossiers of this agency", "example": "2f1d0c5e-8a7b-4c1e-9a53-2d7e6b1f0a11"})
    procedure_code = ma.fields.String(load_default=None, validate=ma.validate.Length(1, 64), metadata={
        "description": "Only dossiers of this procedure", "example": "1.001193"})


def _share(description: str):
    return ma.fields.Float(allow_none=True, metadata={
        "description": f"{description} (0 to 1, 4 decimals; null without a denominator)", "example": 0.6425})


class CommuneRowSchema(ma.Schema):
    commune_code = ma.fields.String(allow_none=True, metadata={
        "description": "null on the totals row", "example": "27727"})
    commune_name = ma.fields.String(allow_none=True, metadata={"example": "Xã Hưng Điền"})


class EidRowSchema(CommuneRowSchema):
    adults = ma.fields.Integer(metadata={
        "description": "Living citizens aged 14 or more in the registry", "example": 10230})
    registered = ma.fields.Integer(metadata={"description": "Citizen accounts of any status", "example": 8120})
    registered_share = _share("registered / adults")
    activated = ma.fields.Integer(metadata={"description": "Active citizen accounts", "example": 6573})
    activated_share = _share("activated / adults")
    level2 = ma.fields.Integer(metadata={"description": "Active accounts at level 2", "example": 4410})
    level2_share = _share("level2 / adults")


class EidFiguresSchema(ma.Schema):
    registry_refreshed_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When the adult population was last counted", "example": "2026-11-21T08:00:00+00:00"})
    totals = ma.fields.Nested(EidRowSchema)
    communes = ma.fields.List(ma.fields.Nested(EidRowSchema))


class QualityRowSchema(CommuneRowSchema):
    records = ma.fields.Integer(metadata={"description": "Registry records", "example": 15800})
    with_issues = ma.fields.Integer(metadata={"description": "Records with any problem", "example": 52})
    with_issues_share = _share("with_issues / records")
    missing = ma.fields.Integer(metadata={"description": "Records with a required field empty", "example": 47})
    missing_share = _share("missing / records")
    inconsistent = ma.fields.Integer(metadata={
        "description": "Records whose fields disagree (personal id vs date of birth or gender, ...)",
        "example": 5})
    inconsistent_share = _share("inconsistent / records")
    clean_share = _share("records without any problem / records")


class QualityCheckSchema(ma.Schema):
    check = ma.fields.String(metadata={"example": "missing.ethnicity"})
    count = ma.fields.Integer(metadata={"example": 47})
    share = _share("count / records")


class RegistryQualitySchema(ma.Schema):
    refreshed_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When the registry was last checked (null before the first check)",
        "example": "2026-11-21T08:00:00+00:00"})
    totals = ma.fields.Nested(QualityRowSchema)
    checks = ma.fields.List(ma.fields.Nested(QualityCheckSchema))
    communes = ma.fields.List(ma.fields.Nested(QualityRowSchema))
