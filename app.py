"""The WSGI entry point (``gunicorn app:app``, ``flask --app app``)."""
import gc

# Start-up creates objects that live as long as the process (modules, models, routes):
# collecting them over and over while they are made cost ~0.15–0.2 s of a ~1 s start.
# Collect nothing until the app exists, then move it all out of the collector's sight
# (gc.freeze, as Python's docs advise before a pre-fork server forks its workers).
gc.disable()
try:
    from kaohe import create_app

    app = create_app()
finally:
    gc.freeze()
    gc.enable()
