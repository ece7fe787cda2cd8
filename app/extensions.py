"""Extensions, created unbound here and bound to the app in `create_app`."""
from pathlib import Path

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from app.common.api import Api
from app.common.models import Base

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=MIGRATIONS_DIR)
api = Api()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
