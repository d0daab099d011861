"""(being written)"""

from flask_smorest import Blueprint

blp = Blueprint("insights", __name__, url_prefix="/api/v1")
