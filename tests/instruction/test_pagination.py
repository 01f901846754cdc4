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
