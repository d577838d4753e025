"""Variants cached across builds by content hash, and published into the output folder.

A source picture's key is the SHA-256 of the recipe (`rendition.recipe`) and its bytes, so the
same picture under two names is made once, and a changed picture or setting gets new files.
The cache folder holds the variants (`<key>-<width>.<ext>`) and one manifest per key
(`<key>.json`), written last: a manifest means every file it names is complete. Every file is
written to a temporary name and renamed into place (`os.replace`), so an interrupted build, or two
builds at once, never leave half a file under a final name.

`ImageCache.rendition(data)` is the only way in: it returns the cached Rendition when the manifest
and its files are there (no decoding, no encoding) and otherwise calls `variants.render` and
stores the result (through the one atomic writer, `comments_service.core.files.replace_file`).
Pillow is imported only then. `publish()` hard-links (or copies, across file systems) the files
into the output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

from comments_service.core.files import replace_file

from .rendition import Rendition, Variant, recipe

#: Hex digits of the hash in file names: 80 bits, no collision among a newsroom's pictures.
KEY_LENGTH = 20


class ImageCache:
    """The variants of every source picture, in `root`, made with `widths`."""

    def __init__(self, root: str | os.PathLike, widths: tuple[int, ...]):
        self.root = Path(root)
        self.widths = tuple(widths)
        self.recipe = recipe(self.widths).encode()
        #: Renditions made (decoded and encoded) by this instance: what a warm build keeps at 0.
        self.made = 0

    def key(self, data: bytes) -> str:
        return hashlib.sha256(self.recipe + b"\0" + data).hexdigest()[:KEY_LENGTH]

    def cached(self, key: str) -> Rendition | None:
        """The stored rendition of `key`, if its manifest and every file it names exist."""
        try:
            stored = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            rendition = Rendition(key, tuple(Variant(**variant) for variant in stored["variants"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if all((self.root / variant.file).is_file() for variant in rendition.variants):
            return rendition
        return None

    def rendition(self, data: bytes) -> Rendition:
        """The variants of the picture `data`, from the cache or made now (rendition.ImageProblem
        when the picture cannot be used)."""
        key = self.key(data)
        found = self.cached(key)
        if found is not None:
            return found
        from . import variants  # Pillow, imported only when a picture must be made

        rendition, files = variants.render(data, key, self.widths)
        self.root.mkdir(parents=True, exist_ok=True)
        for name, blob in files.items():
            replace_file(self.root / name, blob)
        manifest = {"variants": [asdict(variant) for variant in rendition.variants]}
        replace_file(self.root / f"{key}.json", json.dumps(manifest, indent=1).encode())
        self.made += 1
        return rendition

    def publish(self, rendition: Rendition, folder: str | os.PathLike) -> None:
        """Put the rendition's files into `folder` (hard links when possible)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for variant in rendition.variants:
            source, target = self.root / variant.file, folder / variant.file
            if target.exists() and (os.path.samefile(source, target)
                                    or target.stat().st_size == source.stat().st_size):
                continue  # names are content hashes: same name and size, same file
            temporary = folder / f".{variant.file}.{os.getpid()}.tmp"
            temporary.unlink(missing_ok=True)
            try:
                os.link(source, temporary)
            except OSError:
                shutil.copyfile(source, temporary)
            os.replace(temporary, target)
