"""Serving private files (pieces, safe documents, éditiques) through checked views only.

The caller has already checked who may see the file. With ``MDNA_X_ACCEL_REDIRECT`` set (nginx
in front), the web node hands the transfer to the proxy; otherwise Django streams the file.
Every download leaves an audit event."""

import hashlib

from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from mdna import audit


def servir(
    request: HttpRequest, fichier, *, nom: str, cible: models.Model, inline: bool = True
) -> HttpResponse:
    if not fichier or not fichier.storage.exists(fichier.name):
        raise Http404("Fichier introuvable.")
    audit.record(
        actor=request.user, action="fichier.telecharge", target=cible, after={"fichier": nom}
    )
    prefix = getattr(settings, "MDNA_X_ACCEL_REDIRECT", "")
    disposition = "inline" if inline else "attachment"
    if prefix:
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{fichier.name}"
        response["Content-Disposition"] = f'{disposition}; filename="{_ascii(nom)}"'
    else:
        response = FileResponse(fichier.open("rb"), as_attachment=not inline, filename=nom)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _ascii(name: str) -> str:
    return name.encode("ascii", "ignore").decode().replace('"', "") or "document"


def empreinte_sha256(fichier) -> str:
    """The sha256 of an uploaded or stored file, read in blocks; the file is rewound after."""
    digest = hashlib.sha256()
    fichier.seek(0)
    for bloc in iter(lambda: fichier.read(65536), b""):
        digest.update(bloc)
    fichier.seek(0)
    return digest.hexdigest()
