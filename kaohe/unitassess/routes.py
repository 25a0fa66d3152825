"""Import every view module so the blueprints carry all their routes."""
from kaohe.unitassess import charts, edit_views, grid_views, publication  # noqa: F401
from kaohe.unitassess.api import api_bp  # noqa: F401
from kaohe.unitassess.views import bp  # noqa: F401
