"""Note files on disk: found, read and written without leaving the vault.

The one module of the vault package that touches the disk. A vault is not trusted: it may
hold links to files outside it (`leak.md -> /etc/passwd`), FIFOs that block whoever opens
them, devices, or files too big to read. So notes are regular files inside the folder
imported: found with `lstat`, opened from that folder down one name at a time with
O_NOFOLLOW (so that a file or folder swapped for a link in between is refused too),
checked again with `fstat`, and read no further than the limit. An export writes through
no link the same way, never over a file its caller says to keep, and each note replaces
its file atomically. (A hard link is a file like any other: it is read.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .text import MAX_BYTES, too_big
from .types import VaultError

NOTE_SUFFIXES = {".md", ".markdown", ".txt"}
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class NoteFile:
    """A note found under a folder being imported."""

    path: Path  # as the user can find it
    root: Path | None  # the folder it was found under (its own folder when named itself);
    # None for a note sent over the API, on no disk here
    relative: str  # its path under `root`, with `/`
    real: str  # its absolute path, links resolved: where the file is (for a note sent,
    # SENT + its vault path)


SENT = "api:"  # the place of a note sent over the API (no absolute path starts so)


@dataclass
class Found:
    notes: list[NoteFile] = field(default_factory=list)
    refused: list[VaultError] = field(default_factory=list)  # notes that will not be read
    skipped: list[str] = field(default_factory=list)  # folders not walked, and why


def find(paths: Iterable[Path]) -> Found:
    """The notes under `paths` (files, or folders walked without their hidden folders):
    regular files only. Links among them are refused, links to folders not followed."""
    found = Found()
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            found.refused.append(VaultError(str(path), None, "no such file or folder"))
            continue
        if stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and path.is_dir()):
            _walk(Path(path), found)  # a folder the user named may be a link
        else:
            _add(path, path.parent, path.name, mode, found)
    return found


def sent(relative: str) -> NoteFile:
    """A note sent over the API at `relative` (see `vault_path`) in the vault."""
    return NoteFile(Path(relative), None, relative, SENT + relative)


class BadPath(ValueError):
    """Not a path a note can have in a vault: why."""


def vault_path(text: str) -> str:
    """`text` as a note's path in a vault, as `find` would name it and an export can
    write it: relative, with `/`, no hidden or empty part, no `.` or `..`, names of at
    most 255 bytes, a note's suffix. BadPath says why not."""
    parts = text.split("/")
    if not text or len(text) > 1024 or any(ord(c) < 32 or c in "\\\x7f" for c in text):
        raise BadPath("a vault path of at most 1,024 characters, with `/` between folders")
    if text.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise BadPath("a path inside the vault (no leading `/`, no `.` or `..` or `//`)")
    if any(part.startswith(".") for part in parts):
        raise BadPath("no hidden file or folder (a name starting with `.`)")
    if any(len(part.encode()) > 255 for part in parts):
        raise BadPath("names of at most 255 bytes (85 Chinese characters), as disks take")
    if PurePosixPath(text).suffix.lower() not in NOTE_SUFFIXES:
        raise BadPath(f"a note's name ends {', '.join(sorted(NOTE_SUFFIXES))}")
    return text


def _walk(root: Path, found: Found) -> None:
    for directory, folders, files in os.walk(root):  # never follows links to folders
        here = Path(directory)
        for name in sorted(folders):
            if not name.startswith(".") and (here / name).is_symlink():
                found.skipped.append(f"{here / name}: a link to a folder, not followed")
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in NOTE_SUFFIXES:
                continue
            path = here / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue  # gone since the folder was listed
            _add(path, root, path.relative_to(root).as_posix(), mode, found)


def _add(path: Path, root: Path, relative: str, mode: int, found: Found) -> None:
    if stat.S_ISREG(mode):
        found.notes.append(NoteFile(path, root, relative, os.path.realpath(path)))
    else:
        found.refused.append(VaultError(str(path), None, _not_regular(mode)))


def _not_regular(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link, not imported: Folio reads only the files inside the vault"
    return "not a regular file (a pipe, socket or device), not imported"


def read(note: NoteFile, *, max_bytes: int) -> bytes:
    """The bytes of `note`, refused (VaultError) if it is no longer a regular file inside
    its folder (each folder on the way opened without following a link), or is larger
    than `max_bytes` (known before reading, and never read past)."""
    shown = str(note.path)
    fd = _open_inside(note, shown)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise VaultError(shown, None, _not_regular(status.st_mode))
        if status.st_size > max_bytes:
            raise VaultError(shown, None, too_big(status.st_size, max_bytes))
        data = _read_at_most(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew since
        raise VaultError(shown, None, too_big(len(data), max_bytes))
    return data


def _open_inside(note: NoteFile, shown: str) -> int:
    """The note's file, opened from its folder down, one name at a time, never through a
    link: a folder swapped for a link since it was walked cannot lead outside."""
    *folders, name = PurePosixPath(note.relative).parts
    try:
        folder = os.open(note.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise VaultError(shown, None, f"cannot read ({error.strerror})") from None
    try:
        for part in folders:
            inner = os.open(part, _FOLDER, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(name, _READ, dir_fd=folder)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise VaultError(shown, None, _not_regular(stat.S_IFLNK)) from None
        raise VaultError(shown, None, f"cannot read ({error.strerror})") from None
    finally:
        os.close(folder)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def write(root: Path, relative: str, text: str, *, keep: Callable[[bytes], str]) -> str:
    """Write `text` as the note at `relative` under `root` (made if need be); the file's
    real path. Refused (VaultError) where a folder or the note on the way is a link, the
    path leaves `root`, the disk says no, or `keep`, given the bytes of a file already
    there, says why it must be kept."""
    parts = PurePosixPath(relative).parts
    shown = str(root / relative)
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise VaultError(shown, None, "not a path inside the export folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise VaultError(str(root), None, f"cannot write here ({error.strerror})") from None
    try:
        for part in parts[:-1]:
            inner = _enter(folder, part, shown)
            os.close(folder)
            folder = inner
        _replace(folder, parts[-1], text.encode("utf-8"), shown, keep)
    except OSError as error:
        raise VaultError(shown, None, f"cannot write ({error.strerror})") from None
    finally:
        os.close(folder)
    return os.path.join(os.path.realpath(root), *parts)


def _enter(folder: int, name: str, shown: str) -> int:
    """The folder `name` inside `folder`, made if missing; never a link."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o755, dir_fd=folder)
    try:
        return os.open(name, _FOLDER, dir_fd=folder)
    except OSError:
        message = f"{name!r} on the way is a link or a file, not written"
        raise VaultError(shown, None, message) from None


def _replace(folder: int, name: str, data: bytes, shown: str, keep: Callable[[bytes], str]) -> None:
    try:
        existing = os.open(name, _READ, dir_fd=folder)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        if error.errno != errno.ELOOP:  # O_NOFOLLOW met a link
            raise
        raise VaultError(shown, None, "the note's place is taken by a link, not written") from None
    if existing is not None:
        try:
            if not stat.S_ISREG(os.fstat(existing).st_mode):
                message = "the note's place is taken by something not a file, not written"
                raise VaultError(shown, None, message)
            why = keep(_read_at_most(existing, MAX_BYTES + 1))
        finally:
            os.close(existing)
        if why:
            raise VaultError(shown, None, why)
    temporary = f".{name}.{os.getpid()}.tmp"  # hidden: an import passes it over
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary, dir_fd=folder)  # left by a run that died; a link goes, unfollowed
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temporary, flags, 0o644, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
