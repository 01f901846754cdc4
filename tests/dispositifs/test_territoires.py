"""Tests of the pure-Python territories lookup (no database needed)."""

import dataclasses

import pytest

from dispositifs import territoires as t

NA_DEPARTEMENTS = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]


def test_limoges_est_en_haute_vienne_et_nouvelle_aquitaine():
    limoges = t.commune("87085")
    assert limoges is not None
    assert limoges.nom == "Limoges"
    assert limoges.departement == "87"
    assert limoges.region == t.NOUVELLE_AQUITAINE == "75"
    assert "87000" in limoges.codes_postaux


def test_commune_est_immuable():
    limoges = t.commune("87085")
    with pytest.raises(dataclasses.FrozenInstanceError):
        limoges.nom = "Autre"  # type: ignore[misc]


def test_saint_junien_code_postal():
    saint_junien = t.commune("87154")
    assert saint_junien is not None
    assert saint_junien.nom == "Saint-Junien"
    assert "87200" in saint_junien.codes_postaux
    assert "87154" in [c.code for c in t.communes_par_code_postal("87200")]


def test_corse_ajaccio():
    ajaccio = t.commune("2A004")
    assert ajaccio is not None
    assert ajaccio.nom == "Ajaccio"
    assert ajaccio.departement == "2A"
    assert t.commune("2a004") == ajaccio
    assert t.departement("2A").nom == "Corse-du-Sud"
    assert t.departement("2B").nom == "Haute-Corse"


def test_douze_departements_en_nouvelle_aquitaine():
    deps = t.departements(t.NOUVELLE_AQUITAINE)
    assert [d.code for d in deps] == NA_DEPARTEMENTS
    assert t.region(t.NOUVELLE_AQUITAINE).nom == "Nouvelle-Aquitaine"
    assert t.departement("87").nom == "Haute-Vienne"


def test_tous_les_departements_et_regions():
    codes = [d.code for d in t.departements()]
    assert codes == sorted(codes)
    assert {"01", "2A", "2B", "95", "971", "974", "976"} <= set(codes)
    assert all(t.region(d.region) is not None for d in t.departements())
    assert t.departement("971").region == "01"  # Guadeloupe


def test_code_inconnu_renvoie_none():
    assert t.commune("99999") is None
    assert t.commune("") is None
    assert t.departement("00") is None
    assert t.region("00") is None
    assert t.communes_par_code_postal("00000") == []


@pytest.mark.parametrize("texte", ["st junien", "saint-junien", "SAINT JUNIEN", "Saint-Junien"])
def test_recherche_par_nom(texte):
    resultats = t.rechercher_communes(texte)
    assert resultats[0].code == "87154"


def test_recherche_insensible_aux_accents():
    assert "03185" in [c.code for c in t.rechercher_communes("montlucon")]  # Montluçon
    assert "87085" in [c.code for c in t.rechercher_communes("limog")]


def test_recherche_par_code_postal_et_insee():
    assert [c.code for c in t.rechercher_communes("33000")] == ["33063"]
    assert t.rechercher_communes("33000")[0].nom == "Bordeaux"
    assert t.rechercher_communes("87085")[0].nom == "Limoges"
    assert t.rechercher_communes("2A004")[0].nom == "Ajaccio"


def test_recherche_respecte_la_limite():
    assert len(t.rechercher_communes("saint", limite=7)) == 7
    assert t.rechercher_communes("") == []
    assert t.rechercher_communes("zzzzzz") == []


def test_nombre_de_communes():
    communes = t._communes()
    assert len(communes) > 34000
    outre_mer = t.commune("97101")  # Les Abymes, Guadeloupe
    assert outre_mer is not None and outre_mer.departement == "971"
