"""HTML → PDF with WeasyPrint: shipped fonts and CSS only, never the network, archival PDF/A-3b."""

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_EDITIQUES = Path(settings.BASE_DIR) / "static" / "editiques"
BASE_URL = STATIC_EDITIQUES.as_uri() + "/"
PDF_VARIANT = "pdf/a-3b"


class RessourceInterdite(ValueError):
    """A template asked for a resource outside the shipped static files."""


def chemin_autorise(url: str) -> Path:
    """The local file behind ``url`` if it lies below ``static/editiques``; refuse anything else
    (http, https, data, other local paths)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise RessourceInterdite(f"Ressource refusée (réseau) : {url}")
    path = Path(unquote(parsed.path)).resolve()
    if not path.is_relative_to(STATIC_EDITIQUES.resolve()) or not path.is_file():
        raise RessourceInterdite(f"Ressource refusée (hors des fichiers statiques) : {url}")
    return path


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FetcherLocal(URLFetcher):
        def fetch(self, url, headers=None):
            path = chemin_autorise(url)
            type_mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": type_mime})

    # A refused or missing resource stops the rendering: the failure is recorded on the
    # document instead of a letter silently printed without its fonts.
    return FetcherLocal(fail_on_errors=True)


def html_vers_pdf(html: str, *, titre: str = "", pdfa: bool = True) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
    options = {"pdf_variant": PDF_VARIANT} if pdfa else {}
    return document.write_pdf(**options)


def gabarit(type: str) -> str:
    return f"editiques/{type}.html"


def rendre_html(type: str, contexte: dict) -> str:
    return render_to_string(gabarit(type), contexte)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
