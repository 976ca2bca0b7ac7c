"""Uploads: size limit, allowed kinds by their bytes, content addressing."""

from __future__ import annotations

import hashlib

from tests.api import flow
from tests.api.conftest import Api

GIF = b"GIF89a" + b"\x00" * 32


async def test_good_uploads_are_stored_once_by_content(api: Api) -> None:
    first = await flow.upload(api, flow.PDF, "contrato.pdf", "application/pdf")
    again = await flow.upload(api, flow.PDF, "../../copia.pdf", "application/pdf")
    assert first.status_code == again.status_code == 201
    sha = hashlib.sha256(flow.PDF).hexdigest()
    assert first.json() == {
        "id": first.json()["id"],
        "sha256": sha,
        "size_bytes": len(flow.PDF),
        "content_type": "application/pdf",
        "file_name": "contrato.pdf",
    }
    # Two uploads, two rows; one file on disk. A path in the name is dropped.
    assert again.json()["id"] != first.json()["id"] and again.json()["file_name"] == "copia.pdf"
    stored = api.settings.upload_dir / sha[:2] / sha
    assert stored.read_bytes() == flow.PDF
    assert [p.name for p in stored.parent.iterdir()] == [sha]
    image = await flow.upload(api, flow.JPEG, "pan.JPG", "image/jpeg", "product_image")
    assert image.status_code == 201 and image.json()["content_type"] == "image/jpeg"
    png = await flow.upload(api, flow.PNG, "cedula.png", "application/octet-stream")
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"


async def test_an_upload_downloads_with_its_type_and_name(api: Api) -> None:
    stored = await flow.upload(api, flow.PDF, "contrato firmado.pdf", "application/pdf")
    answer = await api.http.get(f"/api/files/{stored.json()['id']}", headers=api.auth("cs-1"))
    assert answer.status_code == 200 and answer.content == flow.PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert "contrato%20firmado.pdf" in answer.headers["content-disposition"]
    missing = await api.http.get("/api/files/no-existe", headers=api.auth("cs-1"))
    assert missing.status_code == 404 and "No existe el archivo" in missing.json()["detail"]
    anonymous = await api.http.get(f"/api/files/{stored.json()['id']}")
    assert anonymous.status_code == 401
    # Another consultant: the file is in none of their sales and not theirs (tests/db covers
    # the documents of a consultant's own sales).
    own = await api.http.get(f"/api/files/{stored.json()['id']}", headers=api.auth("c-100"))
    other = await api.http.get(f"/api/files/{stored.json()['id']}", headers=api.auth("c-200"))
    assert own.status_code == 200 and other.status_code == 404


async def test_refused_uploads(api: Api) -> None:
    too_big = b"%PDF-" + b"0" * api.settings.max_upload_bytes
    cases = [
        # (bytes, name, declared type, purpose, status, message)
        (
            too_big,
            "grande.pdf",
            "application/pdf",
            "document",
            413,
            "El archivo supera el tamaño máximo de 10.0 MB.",
        ),
        (
            GIF,
            "logo.gif",
            "image/gif",
            "document",
            415,
            "Tipo de archivo no permitido para documentos: solo PDF, JPG o PNG.",
        ),
        (
            flow.PNG,
            "foto.png",
            "image/png",
            "product_image",
            415,
            "Tipo de archivo no permitido para imágenes: solo JPG.",
        ),
        # A PDF renamed to .jpg: refused by its bytes, whatever it claims.
        (
            flow.PDF,
            "foto.jpg",
            "image/jpeg",
            "product_image",
            415,
            "Tipo de archivo no permitido para imágenes: solo JPG.",
        ),
        (
            flow.PDF,
            "cedula.jpg",
            "image/jpeg",
            "document",
            422,
            "El contenido del archivo es PDF, pero se declaró como «image/jpeg».",
        ),
        (
            flow.JPEG,
            "foto.png",
            "image/jpeg",
            "product_image",
            422,
            "El nombre de la imagen debe terminar en .jpg: «foto.png».",
        ),
        (b"", "vacio.pdf", "application/pdf", "document", 422, "El archivo está vacío."),
    ]
    for data, name, declared, purpose, status, message in cases:
        response = await flow.upload(api, data, name, declared, purpose)
        assert response.status_code == status, (name, response.text)
        assert response.json()["detail"] == message, name
    response = await flow.upload(api, flow.PDF, "a.pdf", "application/pdf", "otro")
    assert response.status_code == 422
    assert response.json()["detail"] == ["purpose: debe ser uno de: 'document' o 'product_image'"]
    response = await api.http.post(
        "/api/files", data={"purpose": "document"}, headers=api.auth("c-100")
    )
    assert response.status_code == 422 and response.json()["detail"] == ["file: es obligatorio"]
    response = await api.http.post("/api/files", files={"file": ("a.pdf", flow.PDF)})
    assert response.status_code == 401
