"""HTML → PDF with WeasyPrint: shipped fonts and CSS only, never the network, archival PDF/A-3b."""

import atexit
import hashlib
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_EDITIQUES = Path(settings.BASE_DIR) / "static" / "editiques"
BASE_URL = STATIC_EDITIQUES.as_uri() + "/"
FEUILLE = STATIC_EDITIQUES / "css" / "courrier.css"
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


_local = threading.local()


@atexit.register
def _liberer() -> None:
    # Free the fonts before the interpreter tears down the modules their finaliser needs.
    _local.__dict__.pop("feuille", None)


def _feuille():
    """The print stylesheet and its fonts, parsed once per process (and thread): a worker
    renders thousands of letters with the same CSS, and parsing it and loading the fonts is
    about half the cost of a one-page letter."""
    if not hasattr(_local, "feuille"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        polices = FontConfiguration()
        css = CSS(filename=str(FEUILLE), url_fetcher=_fetcher(), font_config=polices)
        _local.feuille = (css, polices)
    return _local.feuille


def html_vers_pdf(html: str, *, titre: str = "", pdfa: bool = True) -> bytes:
    from weasyprint import HTML

    css, polices = _feuille()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
    options = {"pdf_variant": PDF_VARIANT} if pdfa else {}
    return document.write_pdf(stylesheets=[css], font_config=polices, **options)


def gabarit(type: str) -> str:
    return f"editiques/{type}.html"


def rendre_html(type: str, contexte: dict) -> str:
    return render_to_string(gabarit(type), contexte)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
