"""The life of a Dossier as one table of transitions: sources (never a wildcard), target, who may
run it, its guard, what the applicant reads in the timeline and which document it issues.

`instruction.services.transition_executer` is the only code that changes a dossier's state.
`docs/workflow.md` is generated from this table (`python manage.py workflow_doc`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dispositifs.models import Etat
from mdna.models import Role

Garde = Callable[..., tuple[bool, str]]


def _toujours(dossier, par, donnees) -> tuple[bool, str]:
    return True, ""


def _proposition_approuvee(dossier, par, donnees) -> tuple[bool, str]:
    proposition = dossier.propositions.order_by("-cree_le").first()
    if proposition is None or proposition.statut != "approuvee":
        return False, "La proposition n'est pas encore approuvée par le valideur."
    return True, ""


def _proposition_en_attente(dossier, par, donnees) -> tuple[bool, str]:
    proposition = dossier.propositions.order_by("-cree_le").first()
    if proposition is None or proposition.statut != "en_attente":
        return False, "Enregistrez d'abord une proposition (montant, avis, justification)."
    return True, ""


def _vote_de_la_commission(dossier, par, donnees) -> tuple[bool, str]:
    """Voté par la commission permanente (le dossier est à son ordre du jour)"""
    from instruction.programmation.models import PointOrdreDuJour

    commission = (donnees or {}).get("commission")
    if (
        not commission
        or not PointOrdreDuJour.objects.filter(
            dossier=dossier, commission_id=commission, decision=""
        ).exists()
    ):
        return (
            False,
            "Seule la commission permanente décide : inscrivez le dossier à l'ordre du jour "
            "d'une séance et enregistrez son vote.",
        )
    return True, ""


def _adopte_par_la_commission(dossier, par, donnees) -> tuple[bool, str]:
    """Proposition approuvée et vote de la commission permanente"""
    ok, raison = _proposition_approuvee(dossier, par, donnees)
    return (ok, raison) if not ok else _vote_de_la_commission(dossier, par, donnees)


def _rejete_par_la_commission(dossier, par, donnees) -> tuple[bool, str]:
    """Vote de la commission permanente et motif"""
    ok, raison = _vote_de_la_commission(dossier, par, donnees)
    return (ok, raison) if not ok else _motif_obligatoire(dossier, par, donnees)


def _motif_obligatoire(dossier, par, donnees) -> tuple[bool, str]:
    if not (donnees or {}).get("motif", "").strip():
        return False, "Indiquez le motif : il figurera dans le courrier envoyé au demandeur."
    return True, ""


def _pieces_toutes_valides(dossier, par, donnees) -> tuple[bool, str]:
    a_remplacer = dossier.pieces.filter(statut="a_remplacer", remplacee_par__isnull=True).count()
    if a_remplacer:
        return (
            False,
            f"{a_remplacer} pièce(s) sont marquées « à remplacer » : demandez-les d'abord.",
        )
    return True, ""


def _demande_pieces(dossier, par, donnees) -> tuple[bool, str]:
    if not (donnees or {}).get("pieces") and not (donnees or {}).get("message", "").strip():
        return False, "Choisissez les pièces à demander ou écrivez ce qui manque."
    return True, ""


AGENTS = frozenset({Role.INSTRUCTEUR, Role.VALIDEUR, Role.ADMINISTRATEUR})
VALIDEURS = frozenset({Role.VALIDEUR, Role.ADMINISTRATEUR})
FINANCES = frozenset({Role.GESTIONNAIRE, Role.ADMINISTRATEUR})
USAGER = frozenset({Role.USAGER})


@dataclass(frozen=True)
class Transition:
    nom: str
    libelle: str
    sources: frozenset[str]
    cible: str
    roles: frozenset[str]
    titre_usager: str
    detail_usager: str = ""
    garde: Garde = _toujours
    document: str | None = None
    confirmation: bool = False
    champs: tuple[str, ...] = field(default_factory=tuple)


TRANSITIONS: dict[str, Transition] = {
    t.nom: t
    for t in [
        Transition(
            "demander_pieces",
            "Demander des pièces",
            frozenset({Etat.DEPOSE, Etat.EN_INSTRUCTION}),
            Etat.INCOMPLET,
            AGENTS,
            "Des pièces sont à fournir",
            "Le service instructeur a besoin d'éléments complémentaires : le courrier dans votre "
            "coffre-fort dit lesquels et avant quelle date.",
            garde=_demande_pieces,
            document="demande_pieces",
            champs=("pieces", "message", "echeance"),
        ),
        Transition(
            "repondre_pieces",
            "Envoyer les pièces demandées",
            frozenset({Etat.INCOMPLET}),
            Etat.DEPOSE,
            USAGER,
            "Pièces envoyées",
            "Le service instructeur vérifie de nouveau que votre demande est complète.",
        ),
        Transition(
            "declarer_complet",
            "Déclarer complet et instruire",
            frozenset({Etat.DEPOSE}),
            Etat.EN_INSTRUCTION,
            AGENTS,
            "Votre demande est complète",
            "Le service étudie maintenant votre demande et préparera une proposition.",
            garde=_pieces_toutes_valides,
            document="accuse_completude",
        ),
        Transition(
            "proposer",
            "Soumettre la proposition au valideur",
            frozenset({Etat.EN_INSTRUCTION}),
            Etat.PROPOSE,
            frozenset({Role.INSTRUCTEUR, Role.ADMINISTRATEUR}),
            "Votre demande est en attente de décision",
            "Une proposition sera soumise au vote de la commission permanente de la Région.",
            garde=_proposition_en_attente,
        ),
        Transition(
            "renvoyer",
            "Renvoyer la proposition à l'instructeur",
            frozenset({Etat.PROPOSE}),
            Etat.EN_INSTRUCTION,
            VALIDEURS,
            "Votre demande est toujours en instruction",
            garde=_motif_obligatoire,
            champs=("motif",),
        ),
        Transition(
            "attribuer",
            "Attribuer l'aide (vote de la commission)",
            frozenset({Etat.PROPOSE}),
            Etat.ATTRIBUE,
            VALIDEURS,
            "L'aide vous est accordée",
            "La commission permanente a voté l'aide. L'arrêté ou la convention est dans votre "
            "coffre-fort ; vous pourrez ensuite demander les versements.",
            garde=_adopte_par_la_commission,
            document="arrete_attributif",
        ),
        Transition(
            "rejeter",
            "Rejeter (vote de la commission)",
            frozenset({Etat.PROPOSE}),
            Etat.REJETE,
            VALIDEURS,
            "L'aide n'est pas accordée",
            "Le courrier de décision explique pourquoi et comment la contester.",
            garde=_rejete_par_la_commission,
            document="refus",
            champs=("motif",),
        ),
        Transition(
            "declarer_irrecevable",
            "Déclarer irrecevable",
            frozenset({Etat.DEPOSE, Etat.INCOMPLET}),
            Etat.IRRECEVABLE,
            AGENTS,
            "Votre demande ne peut pas être instruite",
            "Le courrier dans votre coffre-fort explique pourquoi et comment la contester.",
            garde=_motif_obligatoire,
            document="irrecevabilite",
            confirmation=True,
            champs=("motif",),
        ),
        Transition(
            "classer_sans_suite",
            "Classer sans suite",
            frozenset({Etat.DEPOSE, Etat.INCOMPLET, Etat.EN_INSTRUCTION}),
            Etat.CLASSE_SANS_SUITE,
            AGENTS,
            "Votre demande est close",
            garde=_motif_obligatoire,
            confirmation=True,
            champs=("motif",),
        ),
        Transition(
            "desister",
            "Retirer la demande",
            frozenset({Etat.DEPOSE, Etat.INCOMPLET, Etat.EN_INSTRUCTION, Etat.PROPOSE}),
            Etat.DESISTE,
            USAGER,
            "Demande retirée",
            "Vous avez retiré cette demande.",
            confirmation=True,
            champs=("motif",),
        ),
        Transition(
            "mettre_en_paiement",
            "Mettre en paiement",
            frozenset({Etat.ATTRIBUE}),
            Etat.EN_PAIEMENT,
            FINANCES,
            "Les versements commencent",
            "Les versements suivent l'échéancier de votre aide.",
        ),
        Transition(
            "solder",
            "Solder",
            frozenset({Etat.EN_PAIEMENT}),
            Etat.SOLDE,
            FINANCES,
            "L'aide est entièrement versée",
        ),
        Transition(
            "constater_caducite",
            "Constater la caducité",
            frozenset({Etat.ATTRIBUE, Etat.EN_PAIEMENT}),
            Etat.CADUC,
            frozenset({Role.INSTRUCTEUR, Role.GESTIONNAIRE, Role.ADMINISTRATEUR}),
            "L'aide est caduque",
            "Le délai pour utiliser l'aide est dépassé : le courrier explique les conséquences.",
            garde=_motif_obligatoire,
            document="caducite",
            confirmation=True,
            champs=("motif",),
        ),
    ]
}


def depuis(etat: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if etat in t.sources]


def table_markdown() -> str:
    """The table, for docs/workflow.md."""
    lines = [
        "| Transition | Depuis | Vers | Qui | Condition | Courrier |",
        "|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS.values():
        sources = ", ".join(sorted(str(Etat(s).label) for s in t.sources))
        roles = ", ".join(sorted(str(Role(r).label) for r in t.roles))
        garde = (t.garde.__doc__ or t.garde.__name__.strip("_").replace("_", " ")).strip()
        lines.append(
            f"| {t.libelle} (`{t.nom}`) | {sources} | {str(Etat(t.cible).label)} | {roles} | "
            f"{'—' if t.garde is _toujours else garde} | {t.document or '—'} |"
        )
    return "\n".join(lines) + "\n"
