"""Writing a Weightscope run folder (docs/run-format.md, version 1).

    <log_dir>/<run id>/run.json     metadata, replaced atomically (temporary file, fsync, rename)
    <log_dir>/<run id>/steps.jsonl  one JSON record per line, only ever appended to

Numbers in step and snapshot records are stored with 7 significant digits
(float32's precision, as the engine's ``storedNumber``); integers stay exact.
JSON has no NaN or infinities: they are written as the strings "NaN",
"Infinity" and "-Infinity", which Weightscope's reader turns back into numbers.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import tempfile
from typing import Any, List

RUN_FORMAT = 'weightscope-run'
RUN_FORMAT_VERSION = 1
STORED_DIGITS = 7


def stored_number(x: float) -> Any:
    """A number as steps.jsonl stores it: 7 significant digits, integers exact, non-finite as a string."""
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    if x.is_integer():
        return int(x) if abs(x) < 2 ** 53 else x
    return float(f'{x:.{STORED_DIGITS}g}')


def _stored(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):  # histogram counts: already exact, and the bulk of a snapshot
            return value
        return [_stored(v) for v in value]
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return stored_number(value)
    return value


def _finite(value: Any) -> Any:
    """Non-finite floats as strings (run.json keeps full precision otherwise)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return stored_number(value)
    return value


def encode_record(kind: str, record: dict) -> str:
    """One line of steps.jsonl: ``{"type": kind, …}`` and a newline."""
    return json.dumps({'type': kind, **_stored(record)}, separators=(',', ':'), allow_nan=False) + '\n'


def now_iso() -> str:
    """UTC time as the engine writes it: 2026-11-27T14:30:15.123Z."""
    t = _dt.datetime.now(_dt.timezone.utc)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + f'{t.microsecond // 1000:03d}Z'


_NOT_PLAIN = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_RESERVED = re.compile(r'^(con|prn|aux|nul|com\d|lpt\d)(\.|$)', re.IGNORECASE)


def check_run_id(run_id: str) -> str:
    """The id, if it is a plain folder name (the rule of the engine's isPlainRunId); else ValueError.

    The id is joined to the log folder: "../x" or "/tmp/x" would write the run somewhere else."""
    if (not isinstance(run_id, str) or not 0 < len(run_id) <= 255 or run_id in ('.', '..') or _NOT_PLAIN.search(run_id)
            or run_id[-1] in '. ' or _RESERVED.match(run_id)):
        raise ValueError(f'run_id {run_id!r} is not a plain folder name (one name, no "/", "\\", ".." or control characters)')
    return run_id


def new_run_id(created_at: str, suffix: str) -> str:
    """An id that sorts by time, as the engine's newRunId: 2026-11-27T14-30-15-123Z-simple."""
    clean = re.sub(r'[^a-zA-Z0-9-]', '', suffix)[:24]
    return f"{re.sub(r'[:.]', '-', created_at)}-{clean}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class RunWriter:
    """Appends step and snapshot lines to steps.jsonl and replaces run.json atomically.

    Lines are buffered and appended when ``flush`` is called (the probe does
    so at most about once a second, and at the end), so a crash loses at most
    the lines since the last flush, and never corrupts an earlier one.
    """

    def __init__(self, folder: str, meta: dict):
        self.folder = folder
        self.meta = meta
        os.makedirs(folder, exist_ok=True)
        self._steps_path = os.path.join(folder, 'steps.jsonl')
        if os.path.exists(self._steps_path):
            raise FileExistsError(f'{folder} already holds a run (steps.jsonl exists); choose a new run id or folder')
        self._pending: List[str] = []
        self._steps = open(self._steps_path, 'a', encoding='utf-8', newline='\n')
        self.write_meta()

    def append(self, kind: str, record: dict) -> None:
        self._pending.append(encode_record(kind, record))

    def flush(self) -> None:
        if not self._pending:
            return
        self._steps.write(''.join(self._pending))
        self._steps.flush()
        self._pending.clear()

    def update_meta(self, **changes: Any) -> None:
        """Merge ``changes`` into run.json (after appending pending lines, so the metadata never runs ahead)."""
        self.flush()
        self.meta.update(changes)
        self.meta['updatedAt'] = now_iso()
        self.write_meta()

    def write_meta(self) -> None:
        text = json.dumps(_finite(self.meta), indent=2, allow_nan=False) + '\n'
        fd, tmp = tempfile.mkstemp(prefix='.run.json.', suffix='.tmp', dir=self.folder)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8', newline='\n') as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; run.json is an ordinary file
            os.replace(tmp, os.path.join(self.folder, 'run.json'))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def close(self) -> None:
        self.flush()
        self._steps.close()
