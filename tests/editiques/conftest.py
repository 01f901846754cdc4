import io

import pytest
from pypdf import PdfReader

from tests.instruction.conftest import (  # noqa: F401 - shared fixtures of the instruction tests
    association,
    claire,
    culture,
    deposer,
    dossier,
    festivals,
    marc,
    sophie,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def texte_pdf(document) -> str:
    with document.fichier.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def normaliser(texte: str) -> str:
    """pypdf returns narrow no-break spaces and line breaks: compare on single spaces."""
    return " ".join(texte.replace("\u202f", " ").replace("\xa0", " ").split())
