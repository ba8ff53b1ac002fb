"""live-report.json: the record of one replay, checked against report.schema.json.

Each step of the replay runs inside `Report.step(name)`; a step that raises is marked
failed (the first one becomes `failed_step`), steps never reached stay `skipped`.
`leaked` is what the API still listed with the run's names after teardown, or null when the
leak check itself could not finish: a report never claims "nothing leaked" it did not see.
Numbers read from Runpod carry the time they were read: `prices` (the catalog's list prices)
and `billed` (what Runpod billed for the run's pods); `estimate` is the run's own arithmetic
and says so. Nothing is copied from data/prices.toml (/work/coord CONTRACT "Report fields").
Every text that goes into the report or the log passes through `Redactor.scrub`, so the
dummy Kaggle token and the API key cannot leak through an error message.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema

# A real run's report (the site stamps pages from it) and a rehearsal's, kept apart so that a
# `make live-local` never overwrites the report of the last real night: declared once, where
# the site reads them.
from site_hooks.pricebook import REPORT_PATHS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
REDACTED = "[REDACTED]"
ESTIMATE_BASIS = (
    "each pod's list price times the seconds it existed, plus the volume at "
    "data/prices.toml's price: the run's own arithmetic, not Runpod's bill"
)


class ReportError(RuntimeError):
    """The report cannot be written where asked (the message is Japanese)."""


def report_path(target: str = "real") -> Path:
    variable, default = REPORT_PATHS[target]
    return Path(os.environ.get(variable) or default)


def ensure_writable(path: Path) -> None:
    """Refuse a report path that cannot be written, before the run rents anything: a run
    whose record is lost after the fact has spent money for nothing."""
    variable = " / ".join(name for name, _ in REPORT_PATHS.values())
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "フォルダです")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".kgl-live-check-"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "書き込みの権限がありません")
    except OSError as error:
        raise ReportError(
            f"報告ファイル {path} に書き込めません（{error.strerror or error}）。"
            f"{variable} で書き込める場所を指定してください。"
        ) from None


def current_commit() -> str | None:
    """The commit being replayed: GITHUB_SHA in CI, else what git says (None without git)."""
    sha = os.environ.get("GITHUB_SHA", "")
    if not sha:
        try:
            sha = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    return sha if re.fullmatch(r"[0-9a-f]{7,40}", sha) else None


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.protocols.Validator:
    # Built and checked once: jsonschema.validate() checks the schema itself on every call,
    # which was most of the time a validation took.
    schema = load_schema()
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema, format_checker=jsonschema.FormatChecker())


def validate(report: dict) -> None:
    """Raise jsonschema.ValidationError when the report breaks the schema."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(report))
    if error is not None:
        raise error


class Redactor:
    """Remembers secret values and blanks them out of any text."""

    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, value: str | None) -> None:
        if value and len(value) >= 4 and value not in self._values:
            self._values.append(value)

    def scrub(self, text: object) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        text = str(text)
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text

    def say(self, message: str) -> None:
        """The replay's log line (stderr), scrubbed."""
        print(f"[live] {self.scrub(message)}", file=sys.stderr, flush=True)


@dataclass
class Step:
    name: str
    checked: str
    status: str = "skipped"
    seconds: float = 0.0
    detail: str | None = None
    rehearsal: bool = False

    def as_dict(self) -> dict:
        out = {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "checked": self.checked,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.rehearsal:
            out["rehearsal"] = True
        return out


class StepFailed(Exception):
    """A check inside a step did not hold (the message says what was seen)."""


@dataclass
class Report:
    run_id: str
    target: str
    image: str
    budget: dict
    steps: dict[str, Step]
    redactor: Redactor
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    gpu_type: str | None = None
    gpu_name: str | None = None
    data_center: str | None = None
    price_per_hour: float | None = None
    estimated_cost_usd: float = 0.0
    failed_step: str | None = None
    leaked: list[dict] | None = None  # None until a leak check has finished
    prices: dict | None = None
    billed: dict | None = None
    gpu_check: dict | None = None
    plan: dict | None = None
    commit: str | None = None
    on_step: Callable[[str], None] | None = None
    _t0: float = field(default_factory=time.monotonic)

    @classmethod
    def new(
        cls,
        run_id: str,
        target: str,
        image: str,
        budget: dict,
        checks: dict[str, str],
        redactor: Redactor,
    ) -> Report:
        steps = {name: Step(name, what) for name, what in checks.items()}
        return cls(run_id, target, image, budget, steps, redactor)

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        record = self.steps[name]
        self.redactor.say(f"step {name} ...")
        start = time.monotonic()
        try:
            if self.on_step:
                self.on_step(name)
            yield record
        except BaseException as error:
            record.status = "failed"
            reason = str(error) or type(error).__name__
            record.detail = self.redactor.scrub(f"{type(error).__name__}: {reason}")[:2000]
            self.failed_step = self.failed_step or name
            self.redactor.say(f"step {name} FAILED: {record.detail}")
            raise
        else:
            record.status = "passed"
            self.redactor.say(
                f"step {name} passed" + (f": {record.detail}" if record.detail else "")
            )
        finally:
            record.seconds += time.monotonic() - start
            if record.detail:
                record.detail = self.redactor.scrub(record.detail)[:2000]

    def mark_interrupted(self, reason: str) -> None:
        """A signal between two steps: blame the next step that did not run."""
        if self.failed_step is None:
            pending = next((s for s in self.steps.values() if s.status == "skipped"), None)
            if pending is not None:
                pending.status, pending.detail = "failed", f"Interrupted: {reason}"
                self.failed_step = pending.name

    def wall_seconds(self) -> float:
        return time.monotonic() - self._t0

    def as_dict(self) -> dict:
        finished = datetime.now(UTC)
        failed = self.failed_step is not None or self.leaked is None or bool(self.leaked)
        return {
            "schema_version": 2,
            "run_id": self.run_id,
            "target": self.target,
            "started_at": utc_iso(self.started),
            "finished_at": utc_iso(finished),
            "wall_seconds": round(self.wall_seconds(), 2),
            "outcome": "failed" if failed else "passed",
            "failed_step": self.failed_step,
            "image": self.image,
            "gpu_type": self.gpu_type,
            "gpu_name": self.gpu_name,
            "data_center": self.data_center,
            "price_per_hour": self.price_per_hour,
            "estimate": {"usd": round(self.estimated_cost_usd, 4), "basis": ESTIMATE_BASIS},
            "budget": self.budget,
            "steps": [step.as_dict() for step in self.steps.values()],
            "leaked": self.leaked,
            "commit": self.commit,
            "prices": self.prices,
            "billed": self.billed,
            "gpu_check": self.gpu_check,
            "plan": self.plan,
        }

    def write(self, path: Path | None = None) -> tuple[Path, dict]:
        """Validate, scrub once more as a last guard, and write the report."""
        data = self.as_dict()
        validate(data)
        text = self.redactor.scrub(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
        path = path or report_path(self.target)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".kgl-live-report-", delete=False
        ) as file:
            file.write(text)
        os.replace(file.name, path)  # whole or not at all
        return path, json.loads(text)
