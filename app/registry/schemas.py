import marshmallow as ma


class DivisionSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "27727"})
    name = ma.fields.String(metadata={"example": "Xã Hưng Điền"})
    kind = ma.fields.String(metadata={"example": "xã"})
    province_code = ma.fields.String(metadata={"example": "80"})
