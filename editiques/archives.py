"""A lot's documents as one file: a ZIP of the PDFs or one merged PDF (pypdf)."""

import io
import zipfile

from django.core.files.base import ContentFile
from pypdf import PdfWriter

from editiques.models import LotDocuments, Statut

PAS_PROGRESSION = 20  # write progress every N documents


def construire(*, lot_id: int) -> str:
    lot = LotDocuments.objects.filter(pk=lot_id).first()
    if lot is None or lot.archive_statut != "en_cours":
        return "absent" if lot is None else lot.archive_statut
    documents = list(lot.tous().filter(statut=Statut.RENDU).order_by("numero", "version"))
    total = len(documents) or 1
    sortie = io.BytesIO()
    if lot.archive_format == "zip":
        with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as archive:
            for i, document in enumerate(documents, 1):
                with document.fichier.open("rb") as f:
                    archive.writestr(document.nom_fichier, f.read())
                _progresser(lot, i, total)
        nom = f"lot-{lot.pk}.zip"
    else:
        writer = PdfWriter()
        for i, document in enumerate(documents, 1):
            with document.fichier.open("rb") as f:
                writer.append(io.BytesIO(f.read()))
            _progresser(lot, i, total)
        writer.write(sortie)
        nom = f"lot-{lot.pk}.pdf"
    lot.archive.save(nom, ContentFile(sortie.getvalue()), save=False)
    LotDocuments.objects.filter(pk=lot.pk).update(
        archive=lot.archive.name, archive_statut="pret", archive_progression=100
    )
    return "pret"


def _progresser(lot: LotDocuments, i: int, total: int) -> None:
    if i % PAS_PROGRESSION == 0 or i == total:
        LotDocuments.objects.filter(pk=lot.pk).update(archive_progression=round(99 * i / total))
