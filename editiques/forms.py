from django import forms
from django.conf import settings

from dispositifs.engine.fields import SniffedFileField


class CopieSigneeForm(forms.Form):
    fichier = SniffedFileField(
        label="Copie signée",
        allowed=("pdf", "jpg", "png"),
        max_bytes=settings.MDNA_UPLOAD_MAX_BYTES,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus. Le document généré reste conservé à côté.",
        error_messages={"required": "Choisissez le fichier signé à déposer."},
    )
