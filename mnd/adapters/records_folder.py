"""Sale records in plain files: one JSON-lines event log per sale and a work-order register."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventInput,
    VoidWorkOrderInput,
    WorkOrderResult,
)
from mnd.adapters.files import atomic_write, locked, safe_name
from mnd.domain.sale import WorkOrderStatus

# Colombia has kept UTC-5 without daylight saving since 1993; a fixed offset avoids depending
# on tzdata being installed in slim containers.
COLOMBIA = timezone(timedelta(hours=-5), "COT")

Orders = dict[str, dict[str, Any]]


class WorkOrderNotFound(LookupError):
    """The sale has no work order to void."""


class FolderRecords:
    """Implements `SaleRecords` with files under `root`, safe across worker threads and processes."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._events_dir = root / "events"
        self._orders_path = root / "work_orders.json"
        # The register is replaced atomically, so the lock lives in a file that never moves.
        self._orders_lock = root / "work_orders.lock"

    def _events_path(self, sale_id: str) -> Path:
        return self._events_dir / f"{safe_name(sale_id)}.jsonl"

    def record_event(self, event: RecordEventInput) -> bool:
        """Appends the event unless its id is already in the sale's log; True when written now."""
        path = self._events_path(event.sale_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        # The log is only ever appended to (never replaced), so it can carry its own lock; flock
        # is per open file, so concurrent worker threads exclude each other too.
        with path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            lines = _complete_lines(handle)
            if any(json.loads(line)["event_id"] == event.event_id for line in lines):
                return False
            handle.write(event.model_dump_json().encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def events(self, sale_id: str) -> list[RecordEventInput]:
        """The sale's events in the order they were recorded."""
        path = self._events_path(sale_id)
        if not path.exists():
            return []
        with path.open("rb") as handle:
            return [RecordEventInput.model_validate_json(line) for line in _complete_lines(handle)]

    def issue_work_order(self, inp: IssueWorkOrderInput) -> WorkOrderResult:
        """Issues `OT-<year>-<counter>` once per sale; a repeated call returns the same OT."""
        with locked(self._orders_lock):
            orders = self._load()
            if inp.sale_id not in orders:
                orders[inp.sale_id] = {
                    "number": _next_number(orders, _local_year(inp.issued_at)),
                    "sale_id": inp.sale_id,
                    "status": WorkOrderStatus.ISSUED.value,
                    "contract_number": inp.contract_number,
                    "issued_at": inp.issued_at.isoformat(),
                }
                self._save(orders)
            return _result(orders[inp.sale_id])

    def void_work_order(self, inp: VoidWorkOrderInput) -> WorkOrderResult:
        """Marks the sale's OT voided; voiding it again changes nothing."""
        with locked(self._orders_lock):
            orders = self._load()
            order = orders.get(inp.sale_id)
            if order is None:
                raise WorkOrderNotFound(f"sale {inp.sale_id!r} has no work order")
            if order["number"] != inp.number:
                raise ValueError(
                    f"sale {inp.sale_id!r} holds work order {order['number']}, not {inp.number}"
                )
            if order["status"] != WorkOrderStatus.VOIDED.value:
                order["status"] = WorkOrderStatus.VOIDED.value
                order["void_reason"] = inp.reason
                order["voided_at"] = datetime.now(UTC).isoformat()
                self._save(orders)
            return _result(order)

    def work_order(self, sale_id: str) -> WorkOrderResult | None:
        """The sale's OT, if one was issued."""
        order = self._load().get(sale_id)
        return None if order is None else _result(order)

    def _load(self) -> Orders:
        if not self._orders_path.exists():
            return {}
        loaded: Orders = json.loads(self._orders_path.read_text(encoding="utf-8"))
        return loaded

    def _save(self, orders: Orders) -> None:
        text = json.dumps(orders, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write(self._orders_path, text.encode("utf-8"))


def _complete_lines(handle: IO[bytes]) -> list[bytes]:
    """Whole lines only: a line without its newline is a write cut short by a crash."""
    data = handle.read()
    complete, _, torn = data.rpartition(b"\n")
    if torn and handle.writable():
        # The torn event was never acknowledged, so its activity will be retried: drop the
        # fragment, or the retry's line would be glued onto it.
        handle.truncate(data.rfind(b"\n") + 1)
    return [line for line in complete.split(b"\n") if line.strip()]


def _local_year(issued_at: datetime) -> int:
    """The OT's year on the Colombian calendar (an OT issued on 31 December at 8 p.m. is that year's)."""
    return issued_at.astimezone(COLOMBIA).year if issued_at.tzinfo else issued_at.year


def _next_number(orders: Orders, year: int) -> str:
    prefix = f"OT-{year}-"
    used = [
        int(o["number"].removeprefix(prefix))
        for o in orders.values()
        if o["number"].startswith(prefix)
    ]
    # Voided OTs keep their number, so a counter never repeats within a year.
    return f"{prefix}{max(used, default=0) + 1:06d}"


def _result(order: dict[str, Any]) -> WorkOrderResult:
    return WorkOrderResult(number=order["number"], sale_id=order["sale_id"], status=order["status"])
