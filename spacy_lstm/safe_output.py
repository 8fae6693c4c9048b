"""Writing outputs without losing anything: checks first, temp file, rename.

Every command that writes a file or a directory goes through here, so each
one refuses the same mistakes with the same one-line messages:

* an output that is (or resolves, through symlinks, to) one of the inputs,
  or a directory that holds an input;
* a file target that is an existing directory, or whose parent is a file;
* a directory target that exists and was not written by us (a directory is
  "ours" when it holds our marker files and nothing else we don't know);
* a parent directory we cannot write to.

Outputs are created in a temporary sibling and renamed into place, with the
permissions an ordinary ``open``/``mkdir`` would give under the current
umask (``mkstemp``/``mkdtemp`` alone give 0600/0700).
"""
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Collection, Iterable, Iterator, Optional, Union

from .errors import UsageError

PathLike = Union[str, Path]


class OutputRefused(UsageError):
    """The output cannot be written safely; nothing was touched (exit status 2)."""


def current_umask() -> int:
    """The process umask (read without changing it for longer than a call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chmod_like_open(path: Path, is_dir: bool) -> None:
    mode = (0o777 if is_dir else 0o666) & ~current_umask()
    os.chmod(path, mode)


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
        return True
    except ValueError:
        return False


def check_not_input(output: PathLike, inputs: Iterable[PathLike], option: str = "OUTPUT") -> None:
    """Refuse an output that is an input, holds an input, or lies inside one."""
    out = Path(output).resolve()
    for given in inputs:
        src = Path(given).resolve()
        if out == src:
            raise OutputRefused(f"{output}: {option} is the input file {given}; choose another output path")
        if _is_within(src, out):
            raise OutputRefused(
                f"{output}: {option} contains the input {given}; choose an output outside the inputs"
            )
        if _is_within(out, src):
            raise OutputRefused(f"{output}: {option} lies inside the input {given}; choose another output path")


def _check_parent(output: Path) -> None:
    parent = output.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputRefused(f"{output}: {ancestor} is a file, not a directory; choose another output path")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise OutputRefused(f"{output}: no permission to write in {ancestor}")
            return


def check_file_target(output: PathLike) -> None:
    """Refuse a file output that is a directory or cannot be created."""
    out = Path(output)
    if out.is_dir():
        raise OutputRefused(f"{output}: is a directory; expected the path of a file to write")
    _check_parent(out)


def check_directory_target(
    output: PathLike, marker: Collection[str], known: Collection[str], overwrite: bool
) -> None:
    """Refuse a directory output that exists and is not ours to replace.

    ``marker``: names that must all be present for a directory to count as
    written by us; ``known``: every name we write there. An empty directory
    may be replaced; one of ours only with ``overwrite``; anything else never.
    """
    out = Path(output)
    if out.resolve() in {Path.cwd().resolve(), *Path.cwd().resolve().parents}:
        raise OutputRefused(f"{output}: is the current directory or one above it; name a new directory")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise OutputRefused(f"{output}: exists and is not a directory; choose another output path")
        names = {p.name for p in out.iterdir()}
        if names:
            ours = set(marker) <= names
            if not ours:
                raise OutputRefused(
                    f"{output}: exists and was not written by this command (no {' + '.join(sorted(marker))}); "
                    "choose a new directory"
                )
            unknown = sorted(names - set(known))
            if unknown:
                raise OutputRefused(
                    f"{output}: holds files this command did not write ({', '.join(unknown[:3])}); "
                    "move them or choose a new directory"
                )
            if not overwrite:
                raise OutputRefused(f"{output}: exists; pass --overwrite to replace it")
    _check_parent(out)


@contextmanager
def atomic_file(target: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success."""
    target = Path(target)
    check_file_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise OutputRefused(f"{target}: cannot write here ({err.strerror})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _chmod_like_open(tmp, is_dir=False)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_directory(target: PathLike) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``target`` only on success.

    The caller checks first (:func:`check_directory_target`) that ``target``
    may be replaced. If replacing fails half way, the old directory is put back.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as err:
        raise OutputRefused(f"{target}: cannot write here ({err.strerror})") from None
    old: Optional[Path] = None
    try:
        yield tmp
        _chmod_like_open(tmp, is_dir=True)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "x")
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None:
                os.replace(old / "x", target)
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
