"""Static files for production: a build step writes fingerprinted, pre-compressed copies and
a manifest; WhiteNoise serves them with far-future caching and url_for links to them."""
import hashlib
import json
import shutil
from pathlib import Path

import bootstrap_wrapper
import click
from flask import current_app
from flask.cli import AppGroup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

MANIFEST = "manifest.json"
# Bootstrap's CSS/JS are served under /static/vendor/bootstrap/ (see the "bootstrap" blueprint).
VENDOR_PREFIX = "vendor/bootstrap/"
FINGERPRINTED = r"\.[0-9a-f]{12}\.\w+$"
ONE_YEAR = 365 * 24 * 3600
# Names that are not fingerprinted (a source map, a link kept from an old page) may change.
PLAIN_MAX_AGE = 3600


def _sources(app):
    return [(Path(app.static_folder), ""),
            (Path(bootstrap_wrapper.get_bootstrap_dir()), VENDOR_PREFIX)]


def _fingerprinted(name, data):
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def build_static(app, target):
    """Write every static file under `target`, as is and under a name that carries a hash of
    its content, each with .gz and .br copies where that saves space, plus the manifest."""
    target = Path(target)
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    manifest = {}
    for root, prefix in _sources(app):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = prefix + path.relative_to(root).as_posix()
            data = path.read_bytes()
            manifest[name] = _fingerprinted(name, data)
            for copy in (name, manifest[name]):
                (staging / copy).parent.mkdir(parents=True, exist_ok=True)
                (staging / copy).write_bytes(data)
    # Pages link the fingerprinted names only; source maps are fetched by developer tools.
    compressor = Compressor(quiet=True, extensions=(*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"))
    for name in manifest.values():
        if compressor.should_compress(name):
            compressor.compress(str(staging / name))
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    # Swapped in whole, so that a folder is never half written.
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return manifest


def register_assets(app):
    """Serve the built files when the settings ask for them, else Flask serves static/."""
    if not app.config["SERVE_BUILT_STATIC"]:
        return
    root = Path(app.config["STATIC_BUILD_PATH"])
    if not (root / MANIFEST).is_file():
        app.logger.warning("No static build in %s (flask --app wsgi assets build): static "
                           "files are served uncompressed, without long caching", root)
        return
    manifest = json.loads((root / MANIFEST).read_text())
    served = WhiteNoise(app.wsgi_app, max_age=PLAIN_MAX_AGE, immutable_file_test=FINGERPRINTED)
    served.FOREVER = ONE_YEAR
    served.add_files(str(root), prefix="static/")
    app.wsgi_app = served

    def link_fingerprinted(endpoint, values):
        filename = values.get("filename")
        if endpoint == "static" and filename in manifest:
            values["filename"] = manifest[filename]
        elif endpoint == "bootstrap.static" and VENDOR_PREFIX + str(filename) in manifest:
            values["filename"] = manifest[VENDOR_PREFIX + filename].removeprefix(VENDOR_PREFIX)

    app.url_defaults(link_fingerprinted)


assets_cli = AppGroup("assets", help="Static files for production.")


@assets_cli.command("build")
def build_command():
    """Write fingerprinted, compressed static files to STATIC_BUILD_PATH."""
    target = current_app.config["STATIC_BUILD_PATH"]
    manifest = build_static(current_app, target)
    click.echo(f"{len(manifest)} static files built in {target}.")
