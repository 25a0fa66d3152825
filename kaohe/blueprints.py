"""Blueprint registry."""
from flask import Flask

from kaohe.auth.permissions import can


def init_app(app: Flask) -> None:
    from kaohe.admin.views import bp as admin
    from kaohe.api.views import bp as api
    from kaohe.assessments.views import bp as assessments
    from kaohe.auth.views import bp as auth
    from kaohe.main.views import bp as main
    from kaohe.officials.views import bp as officials
    from kaohe.officials.views import posts_bp
    from kaohe.orgnotes.views import bp as orgnotes
    from kaohe.reviews.views import bp as reviews
    from kaohe.units.views import bp as units
    from kaohe.unitassess.routes import api_bp as unitassess_api
    from kaohe.unitassess.routes import bp as unitassess

    for bp in (auth, main, units, officials, posts_bp, assessments, reviews, orgnotes, api, admin):
        app.register_blueprint(bp)
    app.register_blueprint(unitassess)
    app.register_blueprint(unitassess_api)

    from kaohe.discipline.api import bp as discipline_api
    from kaohe.discipline.views import bp as discipline
    from kaohe.discipline.views import integrity_bp

    for bp in (discipline, integrity_bp, discipline_api):
        app.register_blueprint(bp)

    from kaohe.dossier.views import bp as dossier

    app.register_blueprint(dossier)

    from kaohe.interop.area_views import BLUEPRINTS as interop_areas
    from kaohe.interop.views import bp as interop

    app.register_blueprint(interop)
    for bp in interop_areas:
        app.register_blueprint(bp)

    from kaohe.api.integration import units_bp as api_units
    from kaohe.api.integration import write_bp as api_write
    from kaohe.api.openapi import bp as api_doc

    for bp in (api_units, api_write, api_doc):
        app.register_blueprint(bp)

    from kaohe.discussions.views import bp as discussions

    app.register_blueprint(discussions)

    from kaohe.auth.permissions import Permission

    app.jinja_env.globals.update(can=can, P=Permission)
