"""The baseline of bench/assessment.py: a minimal Flask app storing each POSTed body as a row.

`POST /inserts` parses the JSON body and inserts it, in its own transaction, as one row of
`bench_inserts` in the database at DATABASE_URL (through shared.db.make_engine, so with the
assessment service's driver and pool); it answers 201 with the row's id. `GET /healthz`
answers when the app is up. The benchmark creates the table (`metadata`) before gunicorn
starts `create_app()`.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import JSON, BigInteger, Column, Identity, MetaData, Table, insert

from shared.db import make_engine

PATH = "/inserts"
metadata = MetaData()
inserts = Table(
    "bench_inserts", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("body", JSON, nullable=False),
)


def create_app() -> Flask:
    engine = make_engine(os.environ["DATABASE_URL"])
    app = Flask(__name__)

    @app.post(PATH)
    def insert_one() -> tuple[dict, int]:
        with engine.begin() as connection:
            row_id = connection.execute(
                insert(inserts).values(body=request.get_json()).returning(inserts.c.id)
            ).scalar_one()
        return {"id": row_id}, 201

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app
