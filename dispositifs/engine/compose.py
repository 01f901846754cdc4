"""Composing a scheme's form: tronc commun + its modules + its extra fields and pieces → schema.

The schema is a plain JSON document stored, frozen, in each published version: a Dossier renders
and validates with the schema of its version whatever happens to the scheme afterwards.
"""

import copy
import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

from dispositifs.engine import tronc
from dispositifs.engine.fields import CELL_TYPES, ConfigurationError, Spec, get_type

ENGINE_VERSION = 1
WINDOW_TYPES = {"permanente", "appel_a_projets"}
DECLENCHEURS = {"signature", "justificatifs", "rapport_final"}


def compose_schema(config: dict) -> dict:
    """The ordered steps of the scheme's form. Raises ConfigurationError if the config is wrong."""
    errors = validate_config(config)
    if errors:
        raise ConfigurationError(" ; ".join(errors))
    return _compose(config)


def _compose(config: dict) -> dict:
    modules = [m for m in tronc.MODULES if m in config.get("modules", [])]
    regle = config.get("regle") or {}
    steps = [tronc.demandeur_step(config["beneficiaires"]), copy.deepcopy(tronc.PROJET_STEP)]
    steps += [copy.deepcopy(tronc.MODULE_STEPS[m]) for m in modules]
    extras = config.get("champs_supplementaires") or []
    if extras:
        steps.append(
            {
                "key": "complements",
                "title": "Questions propres à ce dispositif",
                "intro": "",
                "fields": copy.deepcopy(extras),
                "rules": [],
            }
        )
    steps.append(tronc.financement_step(regle, economie="economie" in modules))
    steps.append(copy.deepcopy(tronc.BANQUE_STEP))
    if config.get("pieces"):
        steps.append(tronc.pieces_step(config["pieces"]))
    steps.append(copy.deepcopy(tronc.ENGAGEMENTS_STEP))
    schema = {
        "engine": ENGINE_VERSION,
        "dispositif": {"slug": config.get("slug", ""), "nom": config.get("nom", "")},
        "prefixe": prefixe(modules),
        "beneficiaires": list(config["beneficiaires"]),
        "modules": modules,
        "regle": {k: _str_or_none(regle.get(k)) for k in ("taux", "plancher", "plafond")},
        "steps": steps,
    }
    schema["hash"] = schema_hash(schema)
    return schema


def prefixe(modules: list[str]) -> str:
    return tronc.MODULE_PREFIXES[modules[0]] if modules else "GEN"


def schema_hash(schema: dict) -> str:
    payload = {k: v for k, v in schema.items() if k != "hash"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]


def _str_or_none(value):
    return None if value in (None, "") else str(value)


def _decimal(value, name: str, errors: list[str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{name} doit être un nombre (reçu « {value} »).")
        return None


def validate_config(config: dict) -> list[str]:
    """Every configuration error, each in a sentence naming the problem."""
    errors: list[str] = []
    beneficiaires = config.get("beneficiaires") or []
    if not beneficiaires:
        errors.append("Choisissez au moins un type de bénéficiaire.")
    unknown = [b for b in beneficiaires if b not in tronc.BENEFICIAIRES]
    if unknown:
        errors.append(f"Type de bénéficiaire inconnu : {', '.join(unknown)}.")
    unknown = [m for m in config.get("modules") or [] if m not in tronc.MODULES]
    if unknown:
        errors.append(f"Module inconnu : {', '.join(unknown)}.")

    regle = config.get("regle") or {}
    taux = _decimal(regle.get("taux"), "Le taux", errors)
    plancher = _decimal(regle.get("plancher"), "Le plancher", errors)
    plafond = _decimal(regle.get("plafond"), "Le plafond", errors)
    if taux is not None and not (0 < taux <= 100):
        errors.append("Le taux d'aide doit être compris entre 0 et 100 %.")
    if plancher is not None and plancher < 0:
        errors.append("Le plancher ne peut pas être négatif.")
    if plafond is not None and plancher is not None and plafond < plancher:
        errors.append(
            f"Le plafond ({plafond} €) est inférieur au plancher ({plancher} €) : aucune aide ne "
            "serait possible."
        )

    fenetre = config.get("fenetre") or {"type": "permanente"}
    if fenetre.get("type") not in WINDOW_TYPES:
        errors.append("La fenêtre de dépôt est « permanente » ou « appel_a_projets ».")
    elif fenetre["type"] == "appel_a_projets":
        try:
            ouverture = dt.date.fromisoformat(str(fenetre.get("ouverture")))
            cloture = dt.date.fromisoformat(str(fenetre.get("cloture")))
        except ValueError:
            errors.append("Un appel à projets demande une date d'ouverture et une date de clôture.")
        else:
            if cloture < ouverture:
                errors.append(
                    f"La clôture de l'appel à projets ({cloture:%d/%m/%Y}) précède son ouverture "
                    f"({ouverture:%d/%m/%Y})."
                )

    echeancier = config.get("echeancier") or []
    if echeancier:
        total = sum(Decimal(str(e.get("pourcentage", 0))) for e in echeancier)
        if total != 100:
            errors.append(f"L'échéancier de paiement totalise {total} % au lieu de 100 %.")
        bad = [e.get("declencheur") for e in echeancier if e.get("declencheur") not in DECLENCHEURS]
        if bad:
            errors.append(f"Déclencheur de versement inconnu : {', '.join(map(str, bad))}.")

    pieces = config.get("pieces") or []
    codes = [p.get("code") for p in pieces]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(f"Pièce demandée deux fois : {', '.join(duplicates)}.")
    if any(not p.get("libelle") for p in pieces):
        errors.append("Chaque pièce demandée a un libellé.")

    if not errors:
        errors += _validate_fields(config)
    return errors


def _validate_fields(config: dict) -> list[str]:
    """Extra fields: known types, unique keys, conditions that point to an earlier field."""
    errors: list[str] = []
    schema = _compose({**config, "champs_supplementaires": []})
    known: dict[str, dict] = {}
    for step in schema["steps"]:
        for field in step["fields"]:
            known[field["key"]] = field
    for field in config.get("champs_supplementaires") or []:
        key = field.get("key") or ""
        if not key or not key.replace("_", "").isalnum() or not key[0].isalpha():
            errors.append(f"Clé de champ invalide « {key} » : lettres, chiffres et _ seulement.")
            continue
        if key in known:
            errors.append(f"La clé « {key} » est déjà utilisée par un autre champ du formulaire.")
            continue
        try:
            field_type = get_type(field.get("type", ""))
        except ConfigurationError as error:
            errors.append(f"« {key} » : {error}")
            continue
        if field_type.code == "table":
            errors += [
                f"« {key} » : type de colonne inconnu « {c.get('type')} »."
                for c in field.get("columns") or []
                if c.get("type") not in CELL_TYPES
            ]
        errors += field_type.check_spec(Spec(field))
        condition = field.get("condition")
        if condition:
            source = condition.get("field")
            if source not in known:
                errors.append(
                    f"« {key} » dépend du champ « {source} », qui n'existe pas avant lui dans le "
                    "formulaire."
                )
            elif "equals" not in condition and "in" not in condition and "filled" not in condition:
                errors.append(
                    f"« {key} » : la condition doit dire « equals », « in » ou « filled »."
                )
        known[key] = field
    return errors


def iter_fields(schema: dict):
    for step in schema["steps"]:
        for field in step["fields"]:
            yield step, field
