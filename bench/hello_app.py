"""The ceiling for the service benchmark: the smallest Flask JSON endpoint."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return {"hello": "world"}
