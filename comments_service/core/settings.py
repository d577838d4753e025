"""The one resolver of every setting, for the site build, the web app and Alembic alike.

    values = resolve(overrides)

gives every setting in defaults.py, then the `COMMENTS_<NAME>` environment variables over them
(parsed as JSON where they can be, so `COMMENTS_RATELIMIT_ENABLED=false` is a boolean;
`COMMENTS_ADMIN_USERS__alice=...` sets one key of a dict, as Flask's `from_prefixed_env` does),
then `overrides` (the web app's `test_config`, or the Pelican settings named `COMMENTS_<NAME>`),
and finally the derived paths. Then `secret_key(values, development=...)` gives the signing key,
with the same refusal, in the same words, wherever a production key is missing.

Paths: running from a checkout (this package next to a pyproject.toml), the instance folder and
the manifest default to the checkout's `instance/` and `output/`; an installed package uses the
working directory instead. Nothing the code reads at run time lives outside the package.
"""

import copy
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import defaults

ENV_PREFIX = "COMMENTS_"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: The packaged comments partial's folder (core/templates/comments.html).
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULTS: dict[str, Any] = {name: value for name, value in vars(defaults).items() if name.isupper()}

MISSING_SECRET_KEY = ("COMMENTS_SECRET_KEY is not set: set it to a long random string "
                      "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), "
                      "the same for every worker of the service and for the site build.")


MISSING_SITE_URL = ("COMMENTS_SITE_URL is not set: set it to the public address of the site "
                    "(e.g. https://news.example.org). Links in mails, feeds and redirects are built "
                    "from it, never from a request's Host header.")


class SettingsError(RuntimeError):
    """A setting is missing or invalid; the message names the variable and what to do."""


def base_dir() -> Path:
    """The checkout this package runs from, else the working directory."""
    checkout = PACKAGE_DIR.parent
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


def from_environment(values: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Apply every COMMENTS_* variable of `environ` to `values` (in place)."""
    for key in sorted(environ):
        if not key.startswith(ENV_PREFIX):
            continue
        raw = environ[key]
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        *parents, name = key[len(ENV_PREFIX):].split("__")
        target = values
        for parent in parents:
            if not isinstance(target.get(parent), dict):
                target[parent] = {}
            target = target[parent]
        target[name] = value


def resolve(overrides: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting: defaults, then COMMENTS_* variables of `environ` (default os.environ),
    then `overrides`, then the derived paths (instance folder, database, manifest)."""
    values = copy.deepcopy(DEFAULTS)
    from_environment(values, os.environ if environ is None else environ)
    values.update(overrides or {})
    root = base_dir()
    instance = Path(values["INSTANCE_PATH"] or root / "instance")
    values["INSTANCE_PATH"] = str(instance)
    values["DATABASE_URL"] = values["DATABASE_URL"] or f"sqlite:///{instance / 'comments.sqlite3'}"
    values["THREADS_MANIFEST"] = str(values["THREADS_MANIFEST"]
                                     or root / "output" / "comments" / "threads.json")
    values["API_URL"] = str(values["API_URL"] or "/api").rstrip("/")
    return values


def pelican_overrides(pelican_settings: Mapping[str, Any]) -> dict[str, Any]:
    """The Pelican settings named COMMENTS_<NAME>, as <NAME>: value."""
    return {key[len(ENV_PREFIX):]: value for key, value in pelican_settings.items()
            if key.startswith(ENV_PREFIX)}


def templates_dirs(values: Mapping[str, Any]) -> list[Path]:
    """Where the comments partial is looked up: TEMPLATES first (an override), then the package."""
    return [Path(values["TEMPLATES"]), PACKAGED_TEMPLATES] if values["TEMPLATES"] else [PACKAGED_TEMPLATES]


def check_public_urls(values: Mapping[str, Any], *, development: bool) -> None:
    """SITE_URL (and SERVICE_URL when given) must be absolute http(s) addresses; production
    requires SITE_URL, since links in mails, feeds and redirects must never be built from a
    request's Host header, which anyone can set."""
    for name in ("SITE_URL", "SERVICE_URL"):
        value = str(values.get(name) or "")
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise SettingsError(f"COMMENTS_{name} must be an absolute http(s) address such as "
                                f"https://news.example.org, not {value!r}")
    if not development and not values.get("SITE_URL"):
        raise SettingsError(MISSING_SITE_URL)


def secret_key(values: Mapping[str, Any], *, development: bool) -> str:
    """SECRET_KEY; in development, without one, the key kept in the instance folder (so tokens
    survive restarts and the build and the service agree). Production without it: SettingsError."""
    if values["SECRET_KEY"]:
        return str(values["SECRET_KEY"])
    if not development:
        raise SettingsError(MISSING_SECRET_KEY)
    return development_secret_key(Path(values["INSTANCE_PATH"]))


def development_secret_key(instance_path: Path) -> str:
    """The development key kept in `instance_path` (created on first use, readable by its owner
    only)."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32))
    return key_file.read_text(encoding="utf-8").strip()
