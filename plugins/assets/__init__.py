"""Pelican plugin: CDN-shaped static files (issue 16 item 8).

- Fingerprinted names. The theme's CSS and JavaScript (THEME_STATIC_PATHS under THEME) are also
  written as `name.<hash8>.ext` (the first 8 hex digits of the file's SHA-256), and the templates
  name them only through the Jinja global `asset("css/site.css")`, which returns
  `SITEURL/THEME_STATIC_DIR/css/site.<hash8>.css`. A changed file gets a new name, so the web
  server may let browsers and CDNs keep these for a year (`immutable`, docs/deploy.md). The
  unfingerprinted file stays too: the comments service's own pages link it
  (COMMENTS_SITE_STYLESHEET) and are not rebuilt with the site.
- Pre-compressed copies, when ASSETS_PRECOMPRESS is on (publish.conf.py: the site nginx serves;
  `make html`'s site is served by `make serve`, which sends files as they are, so a development
  build skips the work, a third of its time at 1,000 articles). At the end of the build every
  text file of the output (html, css, js, xml, json, svg, ...) of at least 1 KiB gets `.gz` and
  `.br` copies beside it, for nginx's `gzip_static` (comments_service/core/files.py, shared with
  the re-bake, which keeps a re-baked page's copies in step). Copies already newer than their
  file are left alone.

`register()` hooks `initialized` (hashes the theme's files, adds `asset` to JINJA_GLOBALS) and
`finalized` (writes the fingerprinted files, then the compressed copies). An unknown name in a
template, `asset("css/nope.css")`, stops the build naming the template.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from jinja2 import pass_context
from pelican import signals

from comments_service.core.files import (COMPRESSED_SUFFIXES, is_compressible, replace_file,
                                         write_compressed_copies)
from plugins.build_errors import BuildError

log = logging.getLogger(__name__)

#: The theme files that get fingerprinted names (the ones pages load on every view).
FINGERPRINTED_SUFFIXES = (".css", ".js")
_SETTING = "ASSETS_FINGERPRINTS"


def fingerprinted_name(relative: str, data: bytes) -> str:
    """`css/site.css` -> `css/site.<first 8 hex digits of SHA-256(data)>.css`."""
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:8]}{dot}{suffix}"


def theme_fingerprints(settings: dict) -> dict[str, str]:
    """{"css/site.css": "css/site.1a2b3c4d.css", ...}: every CSS and JS file of the theme's
    static paths, named as Pelican copies them (relative to THEME_STATIC_DIR)."""
    theme = Path(settings["THEME"])
    names: dict[str, str] = {}
    for static in settings["THEME_STATIC_PATHS"]:
        root = theme / static
        for path in sorted(root.rglob("*") if root.is_dir() else []):
            if path.is_file() and path.suffix in FINGERPRINTED_SUFFIXES:
                relative = path.relative_to(root).as_posix()
                names[relative] = fingerprinted_name(relative, path.read_bytes())
    return names


def make_asset(settings: dict):
    """The `asset(name)` Jinja global for a build with these settings."""
    fingerprints, static_dir = settings[_SETTING], settings["THEME_STATIC_DIR"]

    @pass_context
    def asset(context, name: str) -> str:
        """The URL of the theme file `name` under its fingerprinted name (with the page's SITEURL)."""
        try:
            target = fingerprints[name]
        except KeyError:
            template = context.name or "a template"
            raise BuildError(Path(settings["THEME"]) / "templates" / template, None,
                             f'asset("{name}"): no such CSS or JavaScript file in the theme\'s static '
                             f"folders ({', '.join(sorted(fingerprints)) or 'none'})") from None
        return f"{context.get('SITEURL', '')}/{static_dir}/{target}"

    return asset


def add_asset_helper(pelican) -> None:
    settings = pelican.settings
    settings[_SETTING] = theme_fingerprints(settings)
    settings["JINJA_GLOBALS"] = {**settings.get("JINJA_GLOBALS", {}), "asset": make_asset(settings)}


def write_fingerprinted(output: Path, settings: dict) -> int:
    """Copy each fingerprinted theme file, as Pelican copied it, to its fingerprinted name."""
    static = output / settings["THEME_STATIC_DIR"]
    written = 0
    for name, target in settings.get(_SETTING, {}).items():
        source = static / name
        if not source.is_file():  # IGNORE_FILES, or a theme path Pelican did not copy
            continue
        data = source.read_bytes()
        if fingerprinted_name(name, data) != target:  # the theme changed during the build
            raise BuildError(Path(settings["THEME"]), None,
                             f"{name} changed while the site was built: build again")
        destination = static / target
        if not destination.exists():  # same name, same bytes: nothing to do
            replace_file(destination, data)
            written += 1
    return written


def compress_output(output: Path) -> int:
    """Write the .gz and .br copies of every compressible file in `output` whose copies are older
    than it (or missing); returns how many files got new copies."""
    done = 0
    for path in sorted(output.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        stat = path.stat()
        if not is_compressible(path, stat.st_size):
            if any(path.with_name(path.name + suffix).exists() for suffix in COMPRESSED_SUFFIXES):
                write_compressed_copies(path)  # now too small: its old copies must not be served
            continue
        copy = path.with_name(path.name + ".gz")
        if copy.exists() and copy.stat().st_mtime_ns >= stat.st_mtime_ns:
            continue
        write_compressed_copies(path)
        done += 1
    return done


def finish(pelican) -> None:
    output = Path(pelican.output_path)
    fingerprinted = write_fingerprinted(output, pelican.settings)
    compressed = compress_output(output) if pelican.settings.get("ASSETS_PRECOMPRESS") else 0
    log.info("assets: %d fingerprinted file(s) written, %d file(s) pre-compressed", fingerprinted, compressed)


def register() -> None:
    signals.initialized.connect(add_asset_helper)
    signals.finalized.connect(finish)
