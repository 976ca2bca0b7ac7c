"""Uploads of contract documents and product images (multipart)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from mnd.api.deps import ContextDep, CurrentStaff
from mnd.api.errors import REFUSALS, Problem
from mnd.api.files import StoredFileView, UploadPurpose, UploadRefused, check_upload, clean_name

router = APIRouter(prefix="/api", tags=["Archivos"])
_CHUNK = 64 * 1024


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes; 413 as soon as it exceeds `limit` (never the whole file in memory)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                413, f"El archivo supera el tamaño máximo de {limit / (1024 * 1024):.1f} MB."
            )
        parts.append(chunk)
    return b"".join(parts)


@router.post(
    "/files",
    status_code=201,
    summary="Subir un archivo",
    responses={
        401: REFUSALS[401],
        413: {"model": Problem, "description": "Archivo demasiado grande"},
        415: {"model": Problem, "description": "Tipo de archivo no permitido"},
        422: {"model": Problem, "description": "Contenido y tipo declarado no coinciden"},
    },
)
async def upload_file(
    member: CurrentStaff,
    ctx: ContextDep,
    file: Annotated[UploadFile, File(description="El archivo")],
    purpose: Annotated[
        UploadPurpose,
        Form(description="document: PDF, JPG o PNG; product_image: solo JPG"),
    ] = UploadPurpose.DOCUMENT,
) -> StoredFileView:
    """Guarda un documento (PDF, JPG, PNG) o una imagen de producto (JPG); se usa luego como `file:<id>`."""
    data = await _read_limited(file, ctx.settings.max_upload_bytes)
    try:
        # The content type stored is the one the bytes show, checked against the declared one.
        content_type = check_upload(data, file.filename or "", file.content_type or "", purpose)
    except UploadRefused as refused:
        raise HTTPException(refused.status, refused.message) from refused
    name = clean_name(file.filename, content_type)
    return await run_in_threadpool(ctx.files.save, data, name, content_type, member.id)


@router.get(
    "/files/{file_id}",
    summary="Descargar un archivo",
    response_class=Response,
    responses={401: REFUSALS[401], 404: {"model": Problem, "description": "No existe el archivo"}},
)
async def download_file(member: CurrentStaff, ctx: ContextDep, file_id: str) -> Response:
    """El archivo subido (documento o imagen) con su tipo y su nombre, para descargarlo."""
    found = await run_in_threadpool(ctx.files.read, file_id, member)
    if found is None:
        raise HTTPException(404, f"No existe el archivo «{file_id}».")
    view, data = found
    return Response(
        data,
        media_type=view.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(view.file_name, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )
