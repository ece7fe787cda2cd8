"""Administrative divisions (public): what forms offer for commune fields."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.registry import divisions
from app.registry.errors import ProvinceNotFound
from app.registry.schemas import DivisionSchema

blp = Blueprint("registry", __name__, description="Provinces and communes")


@blp.route("/provinces")
class Provinces(MethodView):
    @blp.response(200, DivisionSchema(many=True))
    def get(self):
        """List the provinces and centrally run cities"""
        return divisions.all_provinces()


@blp.route("/provinces/<string:code>/communes")
class Communes(MethodView):
    @blp.response(200, DivisionSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No province with this code")
    def get(self, code):
        """List the communes, wards and special zones of a province"""
        if not code.isdigit() or divisions.province(code) is None:
            raise ProvinceNotFound()
        return list(divisions.communes_of(code))
