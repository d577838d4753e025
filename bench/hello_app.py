"""The ceilings for the service benchmark: the smallest Flask endpoints under the same gunicorn.

- GET /hello: the smallest JSON answer (the ceiling bench/service.py and bench/speed.py divide by);
- POST /hello: reads and parses a JSON body and answers 201, storing nothing: no write of ours can
  be faster, so its p95 at a given concurrency is the floor for a POST's (bench/shapes.py);
- GET /body: the bytes of the file BENCH_BODY_FILE names (as application/json), built by nothing:
  the floor for a page of that size, e.g. a 1,000-comment thread on a cache miss (bench/shapes.py).
"""

import os
from pathlib import Path

from flask import Flask, Response, request

app = Flask(__name__)
_BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes() if os.environ.get("BENCH_BODY_FILE") else b"{}"


@app.get("/hello")
def hello():
    return {"hello": "world"}


@app.post("/hello")
def hello_post():
    request.get_json()
    return {"hello": "world"}, 201


@app.get("/body")
def body():
    return Response(_BODY, mimetype="application/json")
