"""Who may download an upload (`FileStore.read`), on SQLite and PostgreSQL: a member who is only
a consultant gets what they uploaded and the documents of their own sales; the areas and
supervisors get every file; anyone else gets nothing, as if the id did not exist."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.records_sql import SqlRecords
from mnd.adapters.storage_local import LocalStorage
from mnd.api.files import FILE_REF_PREFIX, FileStore
from mnd.auth.staff import Staff
from mnd.domain.roles import Role
from tests.db.events import event

PDF = b"%PDF-1.4\n%%EOF\n"


def _member(member_id: str, *roles: Role) -> Staff:
    return Staff(
        id=member_id,
        name=member_id,
        email=f"{member_id}@claro.com.co",
        roles=list(roles),
        active=True,
    )


def test_a_consultant_reads_own_uploads_and_own_sales_documents(
    sessions: sessionmaker[Session], records: SqlRecords, tmp_path: Path
) -> None:
    files = FileStore(sessions, LocalStorage(tmp_path))
    # Uploaded by the assistant of c-1, sent in c-1's sale; and one c-2 uploaded for nothing.
    in_sale = files.save(PDF, "rut.pdf", "application/pdf", uploaded_by="asistente")
    loose = files.save(PDF + b" ", "borrador.pdf", "application/pdf", uploaded_by="c-2")
    documents = {
        "documents": [
            {"kind": "rut", "file_name": "rut.pdf", "storage_ref": FILE_REF_PREFIX + in_sale.id}
        ]
    }
    records.record_events(
        [
            event("FILES-1", 1, consultant_id="c-1"),
            event(
                "FILES-1",
                2,
                kind="action",
                actor="c-1",
                data={"action": "submit_documents", "payload": {"documents": documents}},
                consultant_id="c-1",
            ),
        ]
    )

    def readable(file_id: str, member: Staff) -> bool:
        return files.read(file_id, member) is not None

    owner, other = _member("c-1", Role.CONSULTANT), _member("c-2", Role.CONSULTANT)
    support = _member("cs-1", Role.COMMERCIAL_SUPPORT)
    both = _member("c-3", Role.CONSULTANT, Role.SUPERVISOR)
    assert readable(in_sale.id, owner) and not readable(in_sale.id, other)
    assert readable(loose.id, other) and not readable(loose.id, owner)
    assert all(readable(f.id, m) for f in (in_sale, loose) for m in (support, both))
    found = files.read(in_sale.id, owner)
    assert found is not None and found[1] == PDF and found[0].file_name == "rut.pdf"
    assert files.read("no-existe", support) is None
