"""The steering dashboard's figures, read from maintained aggregates (exact; see 0008) plus one
indexed count for late dossiers (time-dependent, so it cannot be maintained)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone

from dispositifs import territoires
from dispositifs.models import Dispositif, Dossier, Etat
from instruction.pilotage.models import CompteurDossiers, CumulPilotage, DureeInstruction
from instruction.selectors import EN_COURS, delai_instruction
from mdna.models import Role, User

ZERO = Decimal("0.00")
ETATS = [e for e in Etat if e != Etat.BROUILLON]
DECIDES = (Etat.ATTRIBUE, Etat.EN_PAIEMENT, Etat.SOLDE, Etat.CADUC, Etat.REJETE)


def peut_piloter(user: User) -> bool:
    """Valideurs, administrators, and agents of a Service (their schemes); never applicants."""
    if not user.is_authenticated:
        return False
    if user.is_administrateur:
        return True
    return user.role in (Role.INSTRUCTEUR, Role.VALIDEUR) and bool(user.service_id)


def dispositifs_pilotables(user: User):
    if user.is_administrateur:
        return Dispositif.objects.all()
    if peut_piloter(user):
        return Dispositif.objects.filter(service_id=user.service_id)
    return Dispositif.objects.none()


def dispositif_pilotable(user: User, pk: int) -> Dispositif:
    dispositif = dispositifs_pilotables(user).filter(pk=pk).first()
    if dispositif is None:
        raise Http404("Dispositif introuvable.")
    return dispositif


@dataclass
class Ligne:
    cle: str
    libelle: str
    nombre: int = 0
    demande: Decimal = ZERO
    propose: Decimal = ZERO
    attribue: Decimal = ZERO
    verse: Decimal = ZERO
    en_retard: int = 0
    par_etat: dict = field(default_factory=dict)


def mediane(histogramme: list[tuple[int, int]]) -> Decimal | None:
    """Exact median of a multiset given as sorted (value, count) pairs."""
    total = sum(n for _, n in histogramme)
    if not total:
        return None
    rangs = [(total - 1) // 2, total // 2]
    valeurs, vu = [], 0
    for valeur, n in histogramme:
        while rangs and rangs[0] < vu + n:
            valeurs.append(valeur)
            rangs.pop(0)
        vu += n
    return Decimal(sum(valeurs)) / 2


def _filtre(user: User, dispositif: Dispositif | None, noms: dict) -> dict:
    """By scheme ids (no join): the aggregates' unique index and the late index serve it."""
    if dispositif is not None:
        return {"dispositif_id": dispositif.pk}
    if user.is_administrateur:
        return {}
    return {"dispositif_id__in": list(noms)}


def tableau(user: User, dispositif: Dispositif | None = None) -> dict:
    """Counts by state, amounts asked / proposed / granted / paid, median instruction time, late
    dossiers; overall, by scheme (overall view) and by département."""
    noms = dict(dispositifs_pilotables(user).values_list("pk", "nom"))
    filtre = _filtre(user, dispositif, noms)
    total = Ligne("total", "Ensemble")
    par_dispositif: dict[int, Ligne] = {}
    par_departement: dict[str, Ligne] = {}
    departements = {d.code: d.nom for d in territoires.departements()}

    def ligne_dep(code: str) -> Ligne:
        if code not in par_departement:
            nom = departements.get(code, "")
            libelle = f"{code} — {nom}" if code and nom else (code or "Non renseigné")
            par_departement[code] = Ligne(code, libelle)
        return par_departement[code]

    def ligne_disp(pk: int) -> Ligne:
        if pk not in par_dispositif:
            par_dispositif[pk] = Ligne(str(pk), noms.get(pk, str(pk)))
        return par_dispositif[pk]

    # Aggregated in SQL per dimension: a few thousand rows at most reach Python.
    compteurs = CompteurDossiers.objects.filter(**filtre, nombre__gt=0)
    for etat, n, m in (
        compteurs.values_list("etat").annotate(n=Sum("nombre"), m=Sum("montant_demande")).order_by()
    ):
        total.nombre += n
        total.demande += m or ZERO
        total.par_etat[etat] = n
    for dispositif_id, etat, n, m in (
        compteurs.values_list("dispositif_id", "etat")
        .annotate(n=Sum("nombre"), m=Sum("montant_demande"))
        .order_by()
    ):
        ligne = ligne_disp(dispositif_id)
        ligne.nombre += n
        ligne.demande += m or ZERO
        ligne.par_etat[etat] = n
    for departement, etat, n, m in (
        compteurs.values_list("departement", "etat")
        .annotate(n=Sum("nombre"), m=Sum("montant_demande"))
        .order_by()
    ):
        ligne = ligne_dep(departement)
        ligne.nombre += n
        ligne.demande += m or ZERO
        ligne.par_etat[etat] = n
    cumuls = CumulPilotage.objects.filter(**filtre)
    sommes = {"p": Sum("montant_propose"), "a": Sum("montant_attribue"), "v": Sum("montant_verse")}
    for cle, lignes in (("dispositif_id", ligne_disp), ("departement", ligne_dep)):
        for valeur, p, a, v in cumuls.values_list(cle).annotate(**sommes).order_by():
            for ligne in (lignes(valeur),) + ((total,) if cle == "departement" else ()):
                ligne.propose += p or ZERO
                ligne.attribue += a or ZERO
                ligne.verse += v or ZERO
    histogramme = list(
        DureeInstruction.objects.filter(**filtre)
        .values_list("jours")
        .annotate(n=Sum("nombre"))
        .order_by("jours")
    )
    limite = timezone.now() - delai_instruction()
    retard = Dossier.objects.filter(**filtre, etat__in=EN_COURS, depose_le__lt=limite)
    if dispositif is None:
        for dispositif_id, n in (
            retard.values_list("dispositif_id").annotate(n=Count("*")).order_by()
        ):
            ligne_disp(dispositif_id).en_retard = n
            total.en_retard += n
    else:
        total.en_retard = retard.count()
    etats = [(e.value, e.label, total.par_etat.get(e.value, 0)) for e in ETATS]
    return {
        "total": total,
        "etats": etats,
        "max_etat": max([n for _, _, n in etats] + [1]),
        "par_dispositif": sorted(par_dispositif.values(), key=lambda x: x.libelle),
        "par_departement": sorted(par_departement.values(), key=lambda x: x.cle),
        "mediane_jours": mediane(histogramme),
        "decides": sum(n for _, n in histogramme),
    }


def lignes_csv(donnees: dict) -> list[list]:
    entete = [
        "Niveau",
        "Libellé",
        "Dossiers",
        *[str(e.label) for e in ETATS],
        "Montant demandé",
        "Montant proposé",
        "Montant attribué",
        "Montant versé",
        "En retard",
    ]
    rows = [entete]
    groupes = [("Ensemble", [donnees["total"]])]
    groupes += [("Dispositif", donnees["par_dispositif"])]
    groupes += [("Département", donnees["par_departement"])]
    for niveau, lignes in groupes:
        for ligne in lignes:
            rows.append(
                [
                    niveau,
                    ligne.libelle,
                    ligne.nombre,
                    *[ligne.par_etat.get(e.value, 0) for e in ETATS],
                    ligne.demande,
                    ligne.propose,
                    ligne.attribue,
                    ligne.verse,
                    ligne.en_retard if niveau != "Département" else "",
                ]
            )
    return rows
