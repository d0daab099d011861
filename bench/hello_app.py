"""The baseline the service benchmarks compare against: the most minimal Flask app."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
