"""Writes of programming and decision: envelopes, imputations (maintained totals), simulations,
commission sessions, agendas and the vote. Dossier states change only through
`instruction.services.transition_executer`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from dispositifs.engine.parsing import format_euros
from dispositifs.models import Dispositif, Dossier, Etat
from instruction.models import Proposition, StatutProposition
from instruction.pilotage.models import VersementConstate
from instruction.pilotage.services import cumul_ajuster, duree_compter
from instruction.programmation import selectors
from instruction.programmation.models import (
    ZERO,
    Commission,
    DecisionVote,
    Enveloppe,
    EnveloppeDispositif,
    Imputation,
    LigneSimulation,
    PointOrdreDuJour,
    Simulation,
    StatutCommission,
    StatutImputation,
)
from instruction.selectors import peut_agir
from mdna import audit
from mdna.models import Role, User

MOTIF_REJET = "La commission permanente n'a pas retenu la demande."


def _erreurs():
    from instruction.services import ActionRefusee

    return ActionRefusee


class DepassementRefuse(Exception):
    """The vote would grant more than the envelope's credits and no override was given."""


def _exiger_valideur(par: User) -> None:
    if par.role not in (Role.VALIDEUR, Role.ADMINISTRATEUR) and not par.is_superuser:
        raise PermissionDenied("Seul un valideur ou un administrateur peut faire cela.")


# Envelopes ---------------------------------------------------------------------------------


@transaction.atomic
def enveloppe_enregistrer(
    *,
    par: User,
    exercice: int,
    ligne_budgetaire: str,
    libelle: str,
    credits_votes: Decimal,
    dispositifs: list[Dispositif],
) -> Enveloppe:
    """Create an envelope for an exercice and a budget line, over one or several schemes."""
    _exiger_valideur(par)
    ActionRefusee = _erreurs()
    if credits_votes is None or credits_votes < 0:
        raise ActionRefusee("Les crédits votés doivent être un montant positif.")
    if not dispositifs:
        raise ActionRefusee("Choisissez au moins un dispositif financé par cette enveloppe.")
    for dispositif in dispositifs:
        if not par.is_administrateur and dispositif.service_id != par.service_id:
            raise PermissionDenied("Ce dispositif n'est pas dans votre périmètre.")
    deja = EnveloppeDispositif.objects.filter(
        exercice=exercice, dispositif__in=dispositifs
    ).select_related("dispositif", "enveloppe")
    if deja:
        lien = deja[0]
        raise ActionRefusee(
            f"« {lien.dispositif.nom} » est déjà financé par l'enveloppe « {lien.enveloppe.libelle} » "
            f"en {exercice}."
        )
    try:
        with transaction.atomic():
            enveloppe = Enveloppe.objects.create(
                exercice=exercice,
                ligne_budgetaire=ligne_budgetaire.strip(),
                libelle=libelle.strip(),
                credits_votes=credits_votes,
                cree_par=par,
            )
    except IntegrityError as error:
        raise ActionRefusee(
            f"Une enveloppe existe déjà pour la ligne {ligne_budgetaire} en {exercice}."
        ) from error
    EnveloppeDispositif.objects.bulk_create(
        EnveloppeDispositif(enveloppe=enveloppe, dispositif=d, exercice=exercice)
        for d in dispositifs
    )
    # Approved proposals already waiting for the vote now draw on this envelope.
    for imputation in Imputation.objects.filter(
        enveloppe__isnull=True,
        statut=StatutImputation.PROPOSEE,
        dossier__dispositif__in=dispositifs,
    ):
        Imputation.objects.filter(pk=imputation.pk).update(enveloppe=enveloppe)
        _ajuster_enveloppe(enveloppe.pk, propose=imputation.montant)
    audit.record(
        actor=par,
        action="enveloppe.creee",
        target=enveloppe,
        after={
            "exercice": exercice,
            "ligne": enveloppe.ligne_budgetaire,
            "credits_votes": str(credits_votes),
            "dispositifs": [d.pk for d in dispositifs],
        },
    )
    return enveloppe


def _ajuster_enveloppe(pk: int | None, *, propose: Decimal = ZERO, attribue: Decimal = ZERO):
    """Atomic increments (UPDATE … SET x = x + d takes the row lock until commit)."""
    if pk is None or (not propose and not attribue):
        return
    Enveloppe.objects.filter(pk=pk).update(
        montant_propose=F("montant_propose") + propose,
        montant_attribue=F("montant_attribue") + attribue,
    )


def imputation_proposer(*, proposition: Proposition, par: User) -> Imputation:
    """Called when the valideur approves a proposal: the amount now counts as proposed on the
    envelope of the current exercice (if one finances the scheme)."""
    dossier = proposition.dossier
    enveloppe = selectors.enveloppe_pour(dossier.dispositif_id, timezone.localdate().year)
    imputation = Imputation.objects.select_for_update().filter(dossier=dossier).first()
    if imputation is not None and imputation.statut == StatutImputation.PROPOSEE:
        _ajuster_enveloppe(imputation.enveloppe_id, propose=-imputation.montant)
        cumul_ajuster(dossier, propose=-imputation.montant)
    if imputation is None:
        imputation = Imputation(dossier=dossier)
    imputation.enveloppe = enveloppe
    imputation.montant = proposition.montant
    imputation.statut = StatutImputation.PROPOSEE
    imputation.modifiee_le = timezone.now()
    imputation.save()
    _ajuster_enveloppe(imputation.enveloppe_id, propose=imputation.montant)
    cumul_ajuster(dossier, propose=imputation.montant)
    return imputation


def _imputation_assurer(dossier: Dossier, exercice: int) -> Imputation | None:
    imputation = Imputation.objects.select_for_update().filter(dossier=dossier).first()
    if imputation is not None:
        return imputation
    proposition = dossier.propositions.filter(statut=StatutProposition.APPROUVEE).first()
    if proposition is None:
        return None
    imputation = Imputation.objects.create(
        dossier=dossier,
        enveloppe=selectors.enveloppe_pour(dossier.dispositif_id, exercice),
        montant=proposition.montant,
    )
    _ajuster_enveloppe(imputation.enveloppe_id, propose=imputation.montant)
    cumul_ajuster(dossier, propose=imputation.montant)
    return imputation


def _caducite_imputer(dossier: Dossier) -> None:
    """A lapsed grant frees its unpaid part (dégagement, docs/decisions/0013): the envelope's and
    the dashboard's "granted" keep only what was actually paid, net of repayments."""
    imputation = Imputation.objects.select_for_update().filter(dossier=dossier).first()
    if imputation is None or imputation.statut != StatutImputation.ATTRIBUEE:
        return
    verse = VersementConstate.objects.filter(dossier=dossier).aggregate(s=Sum("montant"))["s"]
    conserve = min(max(verse or ZERO, ZERO), imputation.montant)
    libere = imputation.montant - conserve
    _ajuster_enveloppe(imputation.enveloppe_id, attribue=-libere)
    cumul_ajuster(dossier, attribue=-libere)
    imputation.statut, imputation.montant = StatutImputation.CADUQUE, conserve
    imputation.modifiee_le = timezone.now()
    imputation.save(update_fields=["statut", "montant", "modifiee_le"])


def imputation_suivre(*, dossier: Dossier, avant: str, apres: str, donnees: dict) -> None:
    """Called by `transition_executer` in its transaction: keeps the envelope and the dashboard
    totals exact when a proposed dossier is granted, rejected, withdrawn or sent back, and when a
    grant lapses."""
    if apres == Etat.CADUC and avant != Etat.CADUC:
        _caducite_imputer(dossier)
        return
    if avant != Etat.PROPOSE or apres == Etat.PROPOSE:
        return
    exercice = int(donnees.get("exercice") or timezone.localdate().year)
    imputation = _imputation_assurer(dossier, exercice)
    if apres in (Etat.ATTRIBUE, Etat.REJETE):
        duree_compter(dossier)
    if imputation is None or imputation.statut != StatutImputation.PROPOSEE:
        return
    propose = imputation.montant
    if apres == Etat.ATTRIBUE:
        montant = Decimal(str(donnees.get("montant") or imputation.montant))
        _ajuster_enveloppe(imputation.enveloppe_id, propose=-propose, attribue=montant)
        cumul_ajuster(dossier, propose=-propose, attribue=montant)
        imputation.statut, imputation.montant = StatutImputation.ATTRIBUEE, montant
    else:
        _ajuster_enveloppe(imputation.enveloppe_id, propose=-propose)
        cumul_ajuster(dossier, propose=-propose)
        imputation.statut = StatutImputation.LIBEREE
    imputation.modifiee_le = timezone.now()
    imputation.save(update_fields=["statut", "montant", "modifiee_le"])


# Simulations -------------------------------------------------------------------------------


@transaction.atomic
def simulation_creer(
    *,
    par: User,
    enveloppe: Enveloppe,
    nom: str,
    lignes: list[tuple[Dossier, Decimal]],
    commentaire: str = "",
) -> Simulation:
    """A what-if scenario. Writes only the scenario: no dossier, no envelope total changes."""
    ActionRefusee = _erreurs()
    if not selectors.enveloppes_visibles(par).filter(pk=enveloppe.pk).exists():
        raise PermissionDenied("Cette enveloppe n'est pas dans votre périmètre.")
    if not nom.strip():
        raise ActionRefusee("Donnez un nom au scénario, par exemple « Scénario A ».")
    if not lignes:
        raise ActionRefusee("Cochez au moins un dossier.")
    candidats = set(selectors.candidats(par, enveloppe).values_list("pk", flat=True))
    for dossier, montant in lignes:
        if dossier.pk not in candidats:
            raise ActionRefusee(
                f"{dossier.numero} n'est pas un dossier proposé et approuvé de cette enveloppe."
            )
        if montant is None or montant < 0:
            raise ActionRefusee(f"Montant invalide pour {dossier.numero}.")
    simulation = Simulation.objects.create(
        nom=nom.strip(), enveloppe=enveloppe, commentaire=commentaire, cree_par=par
    )
    LigneSimulation.objects.bulk_create(
        LigneSimulation(simulation=simulation, dossier=d, montant=m) for d, m in lignes
    )
    audit.record(
        actor=par,
        action="simulation.creee",
        target=simulation,
        after={"enveloppe": enveloppe.pk, "dossiers": len(lignes)},
    )
    return simulation


@transaction.atomic
def simulation_vers_ordre_du_jour(
    *, simulation: Simulation, commission: Commission, par: User
) -> int:
    """The chosen scenario becomes the commission's agenda (its dossiers and amounts)."""
    lignes = list(simulation.lignes.select_related("dossier__dispositif"))
    count = points_inscrire(
        commission=commission,
        par=par,
        dossiers=[ligne.dossier for ligne in lignes],
        montants={ligne.dossier_id: ligne.montant for ligne in lignes},
    )
    Simulation.objects.filter(pk=simulation.pk).update(commission=commission)
    audit.record(
        actor=par,
        action="simulation.vers_ordre_du_jour",
        target=simulation,
        after={"commission": commission.pk, "dossiers": count},
    )
    return count


# Commission --------------------------------------------------------------------------------


@transaction.atomic
def commission_creer(*, par: User, date: dt.date, libelle: str) -> Commission:
    _exiger_valideur(par)
    commission = Commission.objects.create(
        date=date, libelle=libelle.strip() or "Commission permanente", cree_par=par
    )
    audit.record(actor=par, action="commission.creee", target=commission, after={"date": date})
    return commission


@transaction.atomic
def points_inscrire(
    *,
    commission: Commission,
    par: User,
    dossiers: list[Dossier],
    montants: dict[int, Decimal] | None = None,
) -> int:
    """Put approved proposals on the agenda (all or nothing; the reason names the dossier)."""
    ActionRefusee = _erreurs()
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.statut != StatutCommission.PREPARATION:
        raise ActionRefusee("Cette commission est déjà votée : choisissez une séance à venir.")
    if not dossiers:
        raise ActionRefusee("Cochez au moins un dossier.")
    approuvees = {
        p.dossier_id: p.montant
        for p in Proposition.objects.filter(
            dossier__in=dossiers, statut=StatutProposition.APPROUVEE
        )
    }
    deja = set(
        PointOrdreDuJour.objects.filter(dossier__in=dossiers, decision="").values_list(
            "dossier_id", flat=True
        )
    )
    points = []
    for dossier in dossiers:
        if not peut_agir(par, dossier):
            raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")
        if dossier.etat != Etat.PROPOSE or dossier.pk not in approuvees:
            raise ActionRefusee(
                f"{dossier.numero} n'a pas de proposition approuvée par le valideur : il ne peut "
                "pas être inscrit."
            )
        if dossier.pk in deja:
            raise ActionRefusee(f"{dossier.numero} est déjà inscrit à un ordre du jour.")
        montant = (montants or {}).get(dossier.pk, approuvees[dossier.pk])
        points.append(
            PointOrdreDuJour(
                commission=commission, dossier=dossier, montant=montant, inscrit_par=par
            )
        )
    PointOrdreDuJour.objects.bulk_create(points)
    audit.record(
        actor=par,
        action="commission.inscription",
        target=commission,
        after={"dossiers": [d.pk for d in dossiers]},
    )
    return len(points)


@transaction.atomic
def point_retirer(*, point: PointOrdreDuJour, par: User) -> None:
    ActionRefusee = _erreurs()
    if not peut_agir(par, point.dossier):
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")
    if point.decision or point.commission.statut != StatutCommission.PREPARATION:
        raise ActionRefusee("Ce dossier a déjà été voté.")
    audit.record(
        actor=par,
        action="commission.retrait",
        target=point.commission,
        after={"dossier": point.dossier_id},
    )
    point.delete()


def _lot_creer(*, libelle: str, par: User):
    try:
        from editiques.services import lot_creer
    except ImportError:  # pragma: no cover - éditiques not installed
        return None
    return lot_creer(libelle=libelle, par=par)


@transaction.atomic
def commission_voter(
    *,
    commission: Commission,
    par: User,
    decisions: dict[int, str],
    motifs: dict[int, str] | None = None,
    depassement_autorise: bool = False,
    motif_depassement: str = "",
) -> Commission:
    """Record the vote. In ONE transaction: every adopted dossier is granted, every rejected one
    refused (through the workflow table), the envelopes' totals move, the decision letters are
    requested in one batch. Any refusal rolls everything back. Adjourned dossiers stay proposed
    and may go on a later agenda. Exceeding an envelope needs an explicit, audited override."""
    from instruction.services import transition_executer

    ActionRefusee = _erreurs()
    _exiger_valideur(par)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.statut != StatutCommission.PREPARATION:
        raise ActionRefusee("Le vote de cette commission est déjà enregistré.")
    points = list(
        commission.points.filter(decision="")
        .select_related("dossier__dispositif", "dossier__tiers")
        .order_by("dossier__dispositif_id", "dossier__departement", "dossier_id")
    )
    if not points:
        raise ActionRefusee("L'ordre du jour est vide : inscrivez d'abord des dossiers.")
    for point in points:
        if decisions.get(point.pk) not in DecisionVote.values:
            raise ActionRefusee(
                f"Indiquez la décision de la commission pour {point.dossier.numero}."
            )
    bilan = selectors.bilan_budgetaire(
        [p for p in points if decisions[p.pk] == DecisionVote.ADOPTE],
        commission.date.year,
        verrouiller=True,
    )
    depassements = [ligne for ligne in bilan if ligne["depassement"] > 0]
    if depassements and not depassement_autorise:
        raise DepassementRefuse(
            "Le vote dépasse les crédits disponibles : "
            + " ; ".join(
                f"{ligne['libelle']} de {format_euros(ligne['depassement'])}"
                for ligne in depassements
            )
            + ". Retirez ou ajournez des dossiers, ou autorisez explicitement le dépassement "
            "en indiquant le motif."
        )
    if depassements:
        if not motif_depassement.strip():
            raise ActionRefusee("Indiquez le motif du dépassement des crédits.")
        audit.record(
            actor=par,
            action="commission.depassement_autorise",
            target=commission,
            after={
                "motif": motif_depassement.strip(),
                "enveloppes": [
                    {"enveloppe": ligne["pk"], "depassement": str(ligne["depassement"])}
                    for ligne in depassements
                ],
            },
        )
        commission.depassement_motif = motif_depassement.strip()
    lot = None
    if any(decisions[p.pk] != DecisionVote.AJOURNE for p in points):
        lot = _lot_creer(libelle=f"Décisions — {commission}", par=par)
    maintenant = timezone.now()
    totaux: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for point in points:
        decision = decisions[point.pk]
        donnees = {
            "commission": commission.pk,
            "exercice": commission.date.year,
            "montant": str(point.montant),
        }
        contexte = {
            "commission": commission.pk,
            "montant": str(point.montant),
            "date_commission": commission.date.isoformat(),
        }
        if decision == DecisionVote.ADOPTE:
            transition_executer(
                dossier=point.dossier,
                nom="attribuer",
                par=par,
                donnees=donnees,
                lot=lot,
                contexte=contexte,
            )
        elif decision == DecisionVote.REJETE:
            point.motif = ((motifs or {}).get(point.pk) or "").strip() or MOTIF_REJET
            transition_executer(
                dossier=point.dossier,
                nom="rejeter",
                par=par,
                donnees={**donnees, "motif": point.motif},
                lot=lot,
                contexte=contexte,
            )
        point.decision, point.decide_le = decision, maintenant
        totaux[decision] += point.montant
    PointOrdreDuJour.objects.bulk_update(points, ["decision", "decide_le", "motif"])
    commission.statut = StatutCommission.VOTEE
    commission.votee_par, commission.votee_le = par, maintenant
    commission.lot = lot
    commission.save()
    audit.record(
        actor=par,
        action="commission.votee",
        target=commission,
        after={
            "points": len(points),
            **{f"total_{k}": str(v) for k, v in totaux.items()},
            "lot": commission.lot_id,
        },
    )
    return commission


@transaction.atomic
def commission_rapport_demander(*, commission: Commission, par: User) -> str:
    """Ask the éditiques service for the report (dossiers, amounts, totals by scheme and line)."""
    _exiger_valideur(par)
    points = list(
        commission.points.select_related("dossier__dispositif").order_by(
            "dossier__dispositif__nom", "dossier__numero"
        )
    )
    totaux = selectors.totaux_rapport(points, commission.date.year)
    cle = f"rapport_commission-{commission.pk}-{commission.statut}-{len(points)}"
    audit.record(
        actor=par, action="commission.rapport_demande", target=commission, after={"cle": cle}
    )

    def resume(groupes) -> str:
        from mdna.templatetags.mdna_tags import euros

        return " ; ".join(
            f"{nom} : {n} dossier(s), {euros(montant)}" for nom, (n, montant) in groupes
        )

    try:
        from editiques.services import document_demander
    except ImportError:  # pragma: no cover - éditiques not installed
        return cle
    document_demander(
        type="rapport_commission",
        par=par,
        cle_evenement=cle,
        contexte={
            "commission": commission.pk,
            "libelle": commission.libelle,
            "date_commission": commission.date.isoformat(),
            "lignes": [
                {
                    "reference": p.dossier.numero,
                    "beneficiaire": p.dossier.nom_demandeur,
                    "libelle": f"{p.dossier.titre} ({p.dossier.dispositif.nom})",
                    "montant": str(p.montant),
                }
                for p in points
            ],
            "total": str(totaux["total"]),
            "totaux_dispositifs": resume(totaux["par_dispositif"]),
            "totaux_lignes": resume(totaux["par_ligne"]),
        },
    )
    return cle
