"""Schemas of the development demo endpoints."""
import marshmallow as ma

from app.identity.schemas import AuthTokensSchema

S, N = ma.fields.String, ma.fields.Nested


class DemoPersonSchema(ma.Schema):
    personal_id = S(metadata={"example": "080190000017"})
    full_name = S(metadata={"example": "Trần Thị Bình"})
    date_of_birth = S(metadata={"example": "1990-04-12"})
    phone = S(metadata={"example": "0912345678"})
    commune_code = S(metadata={"example": "28075"})


class DemoCitizenSchema(ma.Schema):
    id = ma.fields.UUID()
    login = S(metadata={"example": "080190000017"})
    full_name = S()
    phone = S()
    level = ma.fields.Integer(metadata={"example": 2})
    totp_secret = S(metadata={"description": "Level 2 only: the bound phone's TOTP secret (base32)"})
    device_id = ma.fields.UUID(metadata={"description": "Level 2 only: the bound phone, sent with device_secret at login"})
    device_secret = S()


class DemoStaffSchema(ma.Schema):
    key = S(metadata={"example": "officer", "description": "officer, processor, approver, police, assistant, leader, admin"})
    role = S(metadata={"example": "officer"})
    login = S(metadata={"example": "demo.officer"})
    id = ma.fields.UUID()
    full_name = S()
    totp_secret = S()
    agency_code = S(allow_none=True, metadata={"example": "UBND-28075"})
    commune_code = S(allow_none=True, metadata={"example": "28075"})


class DemoTeamSchema(ma.Schema):
    id = ma.fields.UUID()
    name = S()
    commune_code = S()


class DemoDossierSchema(ma.Schema):
    id = ma.fields.UUID()
    receipt_code = S(allow_none=True)
    status = S()
    fee_amount = ma.fields.Integer()
    fee_status = S()
    procedure_code = S()


class DemoResultSchema(ma.Schema):
    id = ma.fields.UUID()
    dossier_id = ma.fields.UUID()
    verification_code = S()
    verify_url = S()


class DemoSchema(ma.Schema):
    base = S(metadata={"example": "http://127.0.0.1:8000"})
    api = S(metadata={"example": "http://127.0.0.1:8000/api/v1"})
    password = S(metadata={"description": "The password of every demo account"})
    province_code = S(metadata={"example": "80"})
    commune_code = S(allow_none=True, metadata={"example": "28075"})
    agency_code = S(allow_none=True, metadata={"example": "UBND-28075"})
    citizen_to_register = N(DemoPersonSchema, allow_none=True, metadata={"description": "In the registry, no account yet"})
    citizen_level1 = N(DemoCitizenSchema, allow_none=True)
    citizen_level2 = N(DemoCitizenSchema, allow_none=True)
    resident_without_account = N(DemoPersonSchema, allow_none=True, metadata={
        "description": "Lives in the demo team's commune, no account: for a team visit"})
    staff = ma.fields.List(N(DemoStaffSchema))
    team = N(DemoTeamSchema, allow_none=True)
    dossiers = ma.fields.Dict(keys=S(), values=ma.fields.List(N(DemoDossierSchema)), metadata={
        "description": "The level-2 citizen's dossiers by status, oldest first"})
    payable_dossier = N(DemoDossierSchema, allow_none=True)
    result = N(DemoResultSchema, allow_none=True)
    links = ma.fields.Dict(keys=S(), values=S())


class DevTokenArgs(ma.Schema):
    login = S(required=True, validate=ma.validate.Length(1, 64), metadata={"example": "demo.officer"})


class DevTokensSchema(AuthTokensSchema):
    pass
