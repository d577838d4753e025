"""Files the code writes where a web server reads them: one atomic writer and one cross-process
lock, used by the site build's manifest, re-bake, the article importer and the image cache.

A served page also has pre-compressed copies beside it (`page.html.gz`, `page.html.br`: the site
build writes them, plugins/assets; nginx sends them with `gzip_static`): replace_served_file
writes the page and keeps those copies in step, so a re-baked page is never served stale to a
reader whose browser accepts gzip.
"""

import fcntl
import gzip
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Mode of a new file: readable by the web server, whatever the process's umask would give.
NEW_FILE_MODE = 0o644


def replace_file(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, or bytes) to `path` atomically (a temp file in the same
    folder, then os.replace), so a reader sees the old file or the new one, never half of one.
    The file keeps its permission bits (a new one gets NEW_FILE_MODE, not mkstemp's private
    0600: a web server running as another user reads it); the temp file never outlives a failure."""
    mode = path.stat().st_mode & 0o777 if path.exists() else NEW_FILE_MODE
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def replace_file_if_changed(path: Path, data: str | bytes) -> bool:
    """replace_file, unless `path` already holds exactly these bytes: then nothing is written and
    the file keeps its mtime (a rebuild leaves unchanged pages alone, for rsync, a CDN and the
    pre-compressed copies; on ext4 rewriting a file costs ~1 ms, reading it ~30 us). Returns
    whether the file was written."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:  # missing (or unreadable: replace_file says why)
        pass
    replace_file(path, data)
    return True


#: Files worth pre-compressing: text a browser fetches (images and fonts are compressed already).
COMPRESSIBLE_SUFFIXES = frozenset({".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt",
                                   ".atom", ".rss", ".webmanifest"})
#: Below this many bytes a compressed copy saves less than its own request overhead.
COMPRESS_MIN_BYTES = 1024
#: The pre-compressed copies: suffix -> compressor. gzip without a timestamp (the same input gives
#: the same bytes, so rebuilding an unchanged site changes nothing); brotli at 5 (still smaller than
#: gzip -9: 11 saves another 10% at 25 times the time, paid on every page of a build and re-bake).
COMPRESSED_SUFFIXES = (".gz", ".br")


def compress(data: bytes, suffix: str) -> bytes:
    """`data` compressed for the copy named `suffix` (".gz" or ".br")."""
    if suffix == ".gz":
        return gzip.compress(data, compresslevel=9, mtime=0)
    import brotli  # only the writers of served files need it

    return brotli.compress(data, quality=5)


def is_compressible(path: Path, size: int) -> bool:
    """Whether `path` (of `size` bytes) gets pre-compressed copies."""
    return path.suffix.lower() in COMPRESSIBLE_SUFFIXES and size >= COMPRESS_MIN_BYTES


def write_compressed_copies(path: Path, data: bytes | None = None) -> int:
    """Write `path`.gz and `path`.br from `data` (default: the file's bytes), or remove them when
    `path` is not worth compressing (a smaller page must not leave an old copy to be served).
    A copy larger than the file itself is not kept either. Returns the number of copies written."""
    data = path.read_bytes() if data is None else data
    written = 0
    for suffix in COMPRESSED_SUFFIXES:
        copy = path.with_name(path.name + suffix)
        packed = compress(data, suffix) if is_compressible(path, len(data)) else None
        if packed is not None and len(packed) < len(data):
            replace_file(copy, packed)
            written += 1
        else:
            copy.unlink(missing_ok=True)
    return written


def replace_served_file(path: Path, data: str | bytes) -> None:
    """replace_file for a file a web server serves: its compressed copies first (a reader may get
    the new copy a moment before the new file, never an old copy after it), then the file."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    write_compressed_copies(path, data)
    replace_file(path, data)


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """An advisory lock shared by every thread and process on this host that uses `lock_path`."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
