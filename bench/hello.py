"""The ceiling the HTTP benchmark compares against: a bare Flask app answering "Hello" under
the same gunicorn settings as the portal."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
