"""Blueprint registry: every feature's blueprints, in registration order."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

from kaohe.auth.permissions import Permission, can
from kaohe.main import header

# "module:attribute"; the attribute is a blueprint or a tuple of blueprints.
BLUEPRINTS = (
    "kaohe.ops.health:bp",
    "kaohe.auth.views:bp",
    "kaohe.auth.token_views:bp",
    "kaohe.main.views:bp",
    "kaohe.units.views:bp",
    "kaohe.officials.views:bp",
    "kaohe.officials.views:posts_bp",
    "kaohe.assessments.views:bp",
    "kaohe.reviews.views:bp",
    "kaohe.orgnotes.views:bp",
    "kaohe.api.views:bp",
    "kaohe.admin.views:bp",
    "kaohe.unitassess.routes:bp",
    "kaohe.unitassess.routes:api_bp",
    "kaohe.discipline.views:bp",
    "kaohe.discipline.views:integrity_bp",
    "kaohe.discipline.api:bp",
    "kaohe.dossier.views:bp",
    "kaohe.appform.views:BLUEPRINTS",
    "kaohe.appsheet.views:BLUEPRINTS",
    "kaohe.interop.views:bp",
    "kaohe.interop.area_views:BLUEPRINTS",
    "kaohe.api.integration:units_bp",
    "kaohe.api.integration:write_bp",
    "kaohe.api.openapi:bp",
    "kaohe.discussions.views:bp",
    "kaohe.discussions.batch_views:bp",
    "kaohe.discussions.reviewer_bundle:bp",
    "kaohe.discussions.batch_api:bp",
    "kaohe.discipline.letter_views:bp",
    "kaohe.kaocha.views:bp",
    "kaohe.moves.views:bp",
    "kaohe.moves.holiday_views:bp",
    "kaohe.todos.views:bp",
    "kaohe.todos.views:api_bp",
    "kaohe.jobs.views:bp",
    "kaohe.dossier.batch_views:bp",
    "kaohe.stats.views:bp",
    "kaohe.stats.views:api_bp",
    "kaohe.stats.roster_views:bp",
    "kaohe.search.views:bp",
)


def init_app(app: Flask) -> None:
    for spec in BLUEPRINTS:
        module, attr = spec.split(":")
        found = getattr(import_module(module), attr)
        for bp in found if isinstance(found, (tuple, list)) else (found,):
            app.register_blueprint(bp)
    app.jinja_env.globals.update(can=can, P=Permission, header_nav=header.header_nav)
