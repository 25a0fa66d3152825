"""The floor for bench_throughput.py: a bare Flask app answering "hello" (no database,
no templates, no sessions), served by the same gunicorn settings as Kaohe."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
