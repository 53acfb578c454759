"""Output folders that topics may write: never a user's own folder, never an input.

A folder topics writes (a built corpus, a run folder, a reproduction) carries a marker file,
:data:`MARKER`, saying what kind of output it is. Before writing, :func:`claim_output` checks:

* the folder is not an input, does not contain one and is not inside one (``--out`` equal to the
  raw folder or one of its parents would otherwise replace the raw files);
* the folder is missing, empty, or carries the marker of the same kind — a folder with anything
  else in it was not written by topics and is refused, with the advice to choose another folder.

Temporary files and folders carry the id of the process that made them (``.NAME.PID.*.tmp``), so a
later start can remove what a killed process left behind (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterable

from ..errors import TopicsError

__all__ = ["MARKER", "claim_output", "is_topics_output", "is_within", "remove_stale_temporaries", "write_marker"]

#: the file that marks a folder as written by topics
MARKER = ".topics-output.json"


def is_within(inner: Path, outer: Path) -> bool:
    """``inner`` is ``outer`` or lies inside it (both resolved)."""
    return inner == outer or outer in inner.parents


def is_topics_output(folder: Path, kind: str | None = None) -> bool:
    """True when ``folder`` carries the marker (of ``kind``, when given)."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and (kind is None or data.get("kind") == kind)


def claim_output(folder: str | Path, kind: str, inputs: Iterable[str | Path] = (), what: str = "--out",
                 written: Iterable[str] | None = None) -> Path:
    """Check that topics may write ``folder`` as an output of ``kind``; return it resolved.

    ``written``: for an output written anew and swapped in whole (a built corpus), whose old folder
    is deleted, the names topics wrote in it (its ``SHA256SUMS``; None: unknown, not checked). Any
    other entry — a user's notes or figures saved beside the tables — is refused rather than
    deleted with it. Hidden entries are not counted: ``.DS_Store``, ``.ipynb_checkpoints`` are the
    system's, not work.

    Raises
    ------
    TopicsError
        one line naming the folder and what to do, when it is (in) an input or holds someone
        else's files.
    """
    target = Path(folder).expanduser().resolve()
    for given in inputs:
        source = Path(given).expanduser().resolve()
        if is_within(source, target):
            raise TopicsError(f"{folder}: this output folder is, or contains, the input {given} — writing it would "
                              f"replace your files; choose another folder ({what})")
        if is_within(target, source) and source.is_dir():
            raise TopicsError(f"{folder}: this output folder is inside the input folder {given} — its files would be "
                              f"read as input next time; choose a folder outside it ({what})")
    if target.exists():
        if not target.is_dir():
            raise TopicsError(f"{folder}: exists and is not a folder — choose another output folder ({what})")
        if any(target.iterdir()) and not is_topics_output(target, kind):
            other = " (it holds another kind of topics output)" if is_topics_output(target) else ""
            raise TopicsError(f"{folder}: exists and was not written by topics as a {kind}{other} — choose another "
                              f"output folder ({what}), or empty this one yourself")
        ours = None if written is None else {name.split("/", 1)[0] for name in written} | {MARKER, "SHA256SUMS"}
        foreign = [] if ours is None else sorted(entry.name + ("/" if entry.is_dir() else "") for entry in target.iterdir()
                                                 if entry.name not in ours and not entry.name.startswith("."))
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise TopicsError(f"{folder}: holds {shown}, which topics did not write — writing the {kind} again replaces "
                              f"the whole folder; move them out first, or choose another output folder ({what})")
    return target



def write_marker(folder: str | Path, kind: str, version: str) -> None:
    """Mark ``folder`` as a topics output of ``kind``."""
    (Path(folder) / MARKER).write_text(json.dumps({"kind": kind, "written_by": f"topics {version}"}) + "\n",
                                       encoding="utf-8")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove ``.NAME.PID.*.tmp`` and ``.NAME.old-PID`` entries of ``folder`` left by processes that are gone."""
    if not Path(folder).is_dir():
        return
    for entry in Path(folder).iterdir():
        prefix = f".{name}."
        if not entry.name.startswith(prefix):
            continue
        rest = entry.name[len(prefix):]
        pid_text = rest.split(".", 1)[0].removeprefix("old-")
        if not pid_text.isdigit() or not (entry.name.endswith(".tmp") or rest.startswith("old-")):
            continue
        if int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
