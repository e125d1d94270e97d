"""Query plans of the hot paths, as the product really issues them.

    DATABASE_URL=… .venv/bin/python bench/plans.py instance/bench/sqlite-1m.manifest.json

Logs in as a county-center receptionist and a township receptionist of the generated dataset, runs each
hot request once through the app (test client, same settings as the benchmark), captures the SQL it sends
on the petitions tables and prints the database's plan for each distinct statement (SQLite: EXPLAIN QUERY
PLAN; PostgreSQL: EXPLAIN, run as the app role with the request's scope). docs/performance.md quotes it.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PATHS = [
    ("matter page", "/petitions/{pid}"),
    ("inbox, page 1", "/inbox"),
    ("inbox, page 50", "/inbox?box=handling&page=50"),
    ("search, three filters", "/petitions?state=closed&category_id={cat}&received_from={since}"),
    ("timeline", "/api/v1/petitions/{pid}/events"),
    ("county board", "/desk"),
]
TABLES = re.compile(r"\bFROM (petitions|petition_events|petition_parties|petition_access|follow_ups|supervisions)\b")


def main(manifest_path: str) -> None:
    from sqlalchemy import event

    from county_net.accounts.models import User
    from county_net.extensions import db
    from county_net.tenancy import scope_for_user, set_request_scope, system_scope
    from wsgi import app

    manifest = json.loads(Path(manifest_path).read_text())
    captured: list = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", keep)
    for kind in ("county_center", "township"):
        user = next(u for u in manifest["users"] if u["unit_kind"] == kind)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": user["username"], "password": manifest["password"],
                                    "csrf_token": token})
        bearer = client.post("/api/v1/auth/token", json={"username": user["username"],
                                                         "password": manifest["password"]}).get_json()["token"]
        for label, template in PATHS:
            path = template.format(pid=user["petition_ids"][0], cat=user["category_ids"][1], since="2026-01-01")
            headers = {"Authorization": f"Bearer {bearer}"} if path.startswith("/api/") else {}
            client.get(path, headers=headers)  # warm
            captured.clear()
            client.get(path, headers=headers)
            print(f"\n### {label} ({kind}): {path}\n")
            seen = set()
            with app.test_request_context():
                with system_scope("plans"):
                    principal = db.session.get(User, user["id"])
                    scope = scope_for_user(principal)
                set_request_scope(scope)
                for statement, parameters in list(captured):
                    if not TABLES.search(statement) or statement in seen:
                        continue
                    seen.add(statement)
                    head = " ".join(statement.split())[:160]
                    print(f"- `{head}…`")
                    connection = db.session.connection()
                    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else os.environ.get("PLANS_EXPLAIN", "EXPLAIN ")
                    rows = connection.exec_driver_sql(prefix + statement, parameters).all()
                    for row in rows:
                        print("      " + (row[-1] if engine.dialect.name == "sqlite" else row[0]))
                db.session.rollback()


if __name__ == "__main__":
    main(sys.argv[1])
