"""Eligibility checks computed from the scheme's rules, shown on the dossier screen."""

from dataclasses import dataclass
from decimal import Decimal

from dispositifs.engine import formulas
from dispositifs.engine.parsing import format_euros
from dispositifs.engine.rules import DE_MINIMIS_CEILING
from dispositifs.engine.tronc import BENEFICIAIRES
from dispositifs.models import Dossier


@dataclass(frozen=True)
class Controle:
    libelle: str
    ok: bool | None  # None: not applicable or cannot be computed
    detail: str


def controles(dossier: Dossier) -> list[Controle]:
    schema = dossier.version.schema
    config = dossier.version.configuration
    regle = schema.get("regle") or {}
    answers = dossier.answers()
    result = []

    type_ = dossier.demandeur_type
    result.append(
        Controle(
            "Type de bénéficiaire",
            type_ in schema["beneficiaires"],
            f"{BENEFICIAIRES.get(type_, type_ or '—')} ; admis : "
            + ", ".join(BENEFICIAIRES[b] for b in schema["beneficiaires"]),
        )
    )
    fenetre = config.get("fenetre") or {}
    if fenetre.get("type") == "appel_a_projets" and dossier.depose_le:
        depot = dossier.depose_le.date().isoformat()
        ok = fenetre.get("ouverture", "") <= depot <= fenetre.get("cloture", "")
        result.append(
            Controle(
                "Dépôt dans la fenêtre de l'appel",
                ok,
                f"déposé le {dossier.depose_le:%d/%m/%Y}, appel du {fenetre.get('ouverture')} au {fenetre.get('cloture')}",
            )
        )
    else:
        result.append(Controle("Dépôt dans la fenêtre", True, "dispositif à dépôt permanent"))
    zone = config.get("departements") or []
    if zone:
        result.append(
            Controle(
                "Zone géographique",
                dossier.departement in zone,
                f"projet en {dossier.departement or '—'} ; zone : {', '.join(zone)}",
            )
        )
    asked = dossier.montant_demande or Decimal(0)
    maximum = formulas.montant_eligible(answers, regle)
    if regle.get("taux") is not None or regle.get("plafond") is not None:
        result.append(
            Controle(
                "Montant dans la règle de financement",
                asked <= maximum,
                f"demandé {format_euros(asked)} ; maximum {format_euros(maximum)} (taux {regle.get('taux') or '—'} %, plafond {format_euros(regle['plafond']) if regle.get('plafond') else '—'})",
            )
        )
    if regle.get("plancher"):
        result.append(
            Controle(
                "Au-dessus du plancher",
                asked >= Decimal(regle["plancher"]),
                f"plancher {format_euros(regle['plancher'])}",
            )
        )
    total = formulas.total_ressources(answers, regle)
    cout = formulas.cout_total(answers, regle)
    result.append(
        Controle(
            "Plan de financement équilibré",
            cout == total,
            f"dépenses {format_euros(cout)}, ressources {format_euros(total)}",
        )
    )
    if answers.get("aides_de_minimis") not in (None, ""):
        cumul = Decimal(str(answers["aides_de_minimis"])) + asked
        result.append(
            Controle(
                "Plafond de minimis (300 000 € sur 3 ans)",
                cumul <= DE_MINIMIS_CEILING,
                f"cumul avec cette aide : {format_euros(cumul)}",
            )
        )
    result.append(
        Controle(
            "Données de l'organisation vérifiées",
            dossier.tiers.verifie or None,
            f"source : {dossier.tiers.source_verification}, le {dossier.tiers.verifie_le:%d/%m/%Y}"
            if dossier.tiers.verifie and dossier.tiers.verifie_le
            else "saisies par le demandeur, non vérifiées",
        )
    )
    return result
