"""A very large queue is counted up to a ceiling and says so, instead of counting every row."""

import pytest
from django.urls import reverse

from instruction.pagination import PaginatorPlafonne
from tests.instruction.conftest import deposer

pytestmark = pytest.mark.django_db


def test_past_the_ceiling_the_queue_says_more_than_and_pages_still_work(
    client, marc, festivals, association, claire, monkeypatch
):
    dossiers = [deposer(festivals, association, claire) for _ in range(3)]
    client.force_login(marc)
    html = client.get(reverse("instruction:file")).content.decode()
    assert "3 dossiers — page 1 sur 1" in html and "Plus de" not in html
    monkeypatch.setattr(PaginatorPlafonne, "plafond", 2)
    monkeypatch.setattr("instruction.views.PAR_PAGE", 1)
    html = client.get(reverse("instruction:file")).content.decode()
    assert "Plus de 2 dossiers (affinez avec les filtres) — page 1 sur plus de 2" in html
    page2 = client.get(reverse("instruction:file"), {"page": 2}).content.decode()
    assert dossiers[1].numero in page2  # newest first: the second newest is on page 2


def test_filing_date_bounds_include_the_whole_last_day(client, marc, dossier):
    import datetime as dt

    from django.utils import timezone

    from dispositifs.models import Dossier

    soir = timezone.make_aware(dt.datetime(2026, 11, 20, 23, 30))
    Dossier.objects.filter(pk=dossier.pk).update(depose_le=soir)
    client.force_login(marc)

    def trouve(**params) -> bool:
        html = client.get(reverse("instruction:file"), params).content.decode()
        return dossier.numero in html

    assert trouve(depose_du="2026-11-20", depose_au="2026-11-20")
    assert not trouve(depose_au="2026-11-19")
    assert not trouve(depose_du="2026-11-21")
