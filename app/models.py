"""Imports every domain's models so metadata (and Alembic) sees all tables."""
from app.catalog import models as catalog_models  # noqa: F401
from app.registry import models as registry_models  # noqa: F401
from app.identity import models as identity_models  # noqa: F401
from app.common import idempotency as common_models  # noqa: F401
from app.notifications import models as notifications_models  # noqa: F401
from app.dashboard import models as dashboard_models  # noqa: F401
from app.dossiers import models as dossiers_models  # noqa: F401
from app.payments import models as payments_models  # noqa: F401
from app.assistance import models as assistance_models  # noqa: F401
from app.quality import models as quality_models  # noqa: F401
from app.reports import models as reports_models  # noqa: F401
from app.oidc import models as oidc_models  # noqa: F401
