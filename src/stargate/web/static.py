"""The dashboard's own files (``static/``: app.js, app.css and the vendored libraries), served
compressed and cacheable.

Pages link each file with a versioned address, ``/static/NAME?v=HASH`` (:func:`asset_url`, the
first 12 hex digits of its SHA-256): such a request is cached for a year as ``immutable`` (a new
file is a new address), any other gets ``no-cache`` with an ETag, so that a revalidation costs a
304. Files are read once and gzip-compressed once (level 9), then served from memory to clients
that accept gzip (RFC 9110 §8.4). Only files under ``static/`` are served."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

router = APIRouter()

YEAR: Final = 365 * 24 * 3600
TYPES: Final = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".json": "application/json", ".txt": "text/plain; charset=utf-8"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class File:
    body: bytes
    gzipped: bytes | None  # None when compression does not pay
    version: str
    media_type: str


_lock = threading.Lock()
_files: dict[Path, tuple[float, File]] = {}


def folder() -> Path:
    return Path(str(resources.files("stargate.web") / "static")).resolve()


def _load(path: Path) -> File:
    """The file, from memory unless it changed on disk since it was read."""
    stamp = path.stat().st_mtime
    with _lock:
        known = _files.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
    body = path.read_bytes()
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    media = (
        TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    loaded = File(body, packed if len(packed) < len(body) * 0.9 else None,
                  hashlib.sha256(body).hexdigest()[:12], media)  # fmt: skip
    with _lock:
        _files[path] = (stamp, loaded)
    return loaded


def _resolve(name: str) -> Path | None:
    root = folder()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file() or path.name.startswith("."):
        return None
    return path


def asset_url(name: str) -> str:
    """The versioned address of a file under ``static/`` (cached for a year by browsers)."""
    path = _resolve(name)
    if path is None:
        return f"/static/{name}"
    return f"/static/{name}?v={_load(path).version}"


def js_size(name: str) -> tuple[int, int]:
    """A script's size as stored and as sent gzip-compressed (bytes), for the page weights."""
    path = _resolve(name)
    if path is None:
        return (0, 0)
    loaded = _load(path)
    return (len(loaded.body), len(loaded.gzipped or loaded.body))


@router.get("/static/{name:path}", include_in_schema=False)
@router.head("/static/{name:path}", include_in_schema=False)
async def static(request: Request, name: str) -> Response:
    path = _resolve(name)
    if path is None:
        raise HTTPException(404, f"no file {name!r}")
    loaded = _load(path)
    etag = f'"{loaded.version}"'
    versioned = request.query_params.get("v") == loaded.version
    headers = {
        "etag": etag, "vary": "Accept-Encoding",
        "cache-control": f"public, max-age={YEAR}, immutable" if versioned else "no-cache",
    }  # fmt: skip
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = loaded.body
    if loaded.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = loaded.gzipped
        headers["content-encoding"] = "gzip"
    if request.method == "HEAD":
        headers["content-length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=loaded.media_type)
    return Response(body, headers=headers, media_type=loaded.media_type)
