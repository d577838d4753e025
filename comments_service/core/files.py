"""Files the code writes where a web server reads them: one atomic writer and one cross-process
lock, used by the site build's manifest, re-bake, the article importer and the image cache."""

import fcntl
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
