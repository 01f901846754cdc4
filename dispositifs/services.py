"""Writes on schemes: publish a version, duplicate, close, load the catalogue."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from dispositifs.engine.compose import compose_schema, validate_config
from dispositifs.engine.fields import ConfigurationError
from dispositifs.models import (
    ChampSupplementaire,
    Dispositif,
    DispositifVersion,
    PieceDemandee,
    StatutDispositif,
)
from mdna import audit
from mdna.models import Service, User


class PublicationRefusee(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(" ; ".join(errors))
        self.errors = errors


def _check_admin(par: User | None) -> None:
    if par is not None and not par.is_administrateur:
        raise PermissionError("Seul un administrateur configure les dispositifs.")


@transaction.atomic
def dispositif_publier(*, dispositif: Dispositif, par: User | None) -> DispositifVersion:
    """Freeze the current configuration into a new immutable version (or keep the current one
    when nothing changed) and open the scheme."""
    _check_admin(par)
    dispositif = Dispositif.objects.select_for_update().get(pk=dispositif.pk)
    config = dispositif.configuration()
    errors = validate_config(config)
    if errors:
        raise PublicationRefusee(errors)
    schema = compose_schema(config)
    current = dispositif.version_courante
    if current and current.empreinte == schema["hash"] and current.configuration == config:
        if dispositif.statut != StatutDispositif.PUBLIE:
            dispositif.statut = StatutDispositif.PUBLIE
            dispositif.save(update_fields=["statut", "modifie_le"])
        return current
    numero = (
        dispositif.versions.order_by("-numero").values_list("numero", flat=True).first() or 0
    ) + 1
    version = DispositifVersion.objects.create(
        dispositif=dispositif,
        numero=numero,
        configuration=config,
        schema=schema,
        empreinte=schema["hash"],
        publiee_par=par,
    )
    before = {"statut": dispositif.statut, "version": current.numero if current else None}
    dispositif.version_courante = version
    dispositif.statut = StatutDispositif.PUBLIE
    dispositif.save(update_fields=["version_courante", "statut", "modifie_le"])
    audit.record(
        actor=par,
        action="dispositif.publie",
        target=dispositif,
        before=before,
        after={"statut": dispositif.statut, "version": numero, "empreinte": schema["hash"]},
    )
    return version


@transaction.atomic
def dispositif_fermer(*, dispositif: Dispositif, par: User) -> Dispositif:
    _check_admin(par)
    before = {"statut": dispositif.statut}
    dispositif.statut = StatutDispositif.FERME
    dispositif.save(update_fields=["statut", "modifie_le"])
    audit.record(
        actor=par,
        action="dispositif.ferme",
        target=dispositif,
        before=before,
        after={"statut": "ferme"},
    )
    return dispositif


@transaction.atomic
def dispositif_dupliquer(*, dispositif: Dispositif, par: User, nom: str) -> Dispositif:
    """A new draft scheme with the same configuration (Nadia's emergency scheme)."""
    _check_admin(par)
    slug = _unique_slug(slugify(nom)[:70] or "dispositif")
    champs = list(dispositif.champs.all())
    pieces = list(dispositif.pieces.all())
    copie = Dispositif.objects.get(pk=dispositif.pk)
    copie.pk = None
    copie.slug = slug
    copie.nom = nom
    copie.statut = StatutDispositif.BROUILLON
    copie.version_courante = None
    copie.save()
    for item in champs + pieces:
        item.pk = None
        item.dispositif = copie
    ChampSupplementaire.objects.bulk_create(champs)
    PieceDemandee.objects.bulk_create(pieces)
    audit.record(
        actor=par,
        action="dispositif.duplique",
        target=copie,
        after={"source": dispositif.slug, "slug": copie.slug},
    )
    return copie


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while Dispositif.objects.filter(slug=slug).exists():
        slug = f"{base[:70]}-{n}"
        n += 1
    return slug


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@transaction.atomic
def catalogue_charger(*, services: list[dict], entries: list[dict]) -> dict:
    """Upsert the Region's services and schemes from the catalogue data, then publish each
    scheme. Idempotent: loading the same data twice changes nothing (same versions)."""
    counts = {"services": 0, "crees": 0, "modifies": 0, "inchanges": 0, "versions": 0}
    for data in services:
        Service.objects.update_or_create(
            code=data["code"], defaults={"nom": data["nom"], "direction": data.get("direction", "")}
        )
        counts["services"] += 1
    services_by_code = {s.code: s for s in Service.objects.all()}
    existing = {d.slug: d for d in Dispositif.objects.prefetch_related("champs", "pieces")}
    for entry in entries:
        fenetre = entry.get("fenetre") or {"type": "permanente"}
        regle = entry.get("regle") or {}
        values = {
            "nom": entry["nom"],
            "resume": entry["resume"],
            "description": entry["description"],
            "thematique": entry["thematique"],
            "service": services_by_code[entry["service"]],
            "beneficiaires": entry["beneficiaires"],
            "modules": entry["modules"],
            "departements": entry.get("departements") or [],
            "fenetre_type": fenetre["type"],
            "date_ouverture": _date(fenetre.get("ouverture")),
            "date_cloture": _date(fenetre.get("cloture")),
            "taux": _decimal(regle.get("taux")),
            "plancher": _decimal(regle.get("plancher")),
            "plafond": _decimal(regle.get("plafond")),
            "echeancier": entry.get("echeancier") or [],
            "imputation": entry.get("imputation") or {},
        }
        champs = [
            ChampSupplementaire.from_spec(spec, ordre=i)
            for i, spec in enumerate(entry.get("champs_supplementaires") or [])
        ]
        pieces = [
            PieceDemandee(
                ordre=i,
                code=p["code"],
                libelle=p["libelle"],
                aide=p.get("aide", ""),
                obligatoire=p.get("obligatoire", True),
            )
            for i, p in enumerate(entry.get("pieces") or [])
        ]
        dispositif = existing.get(entry["slug"])
        if dispositif is None:
            dispositif = Dispositif.objects.create(slug=entry["slug"], **values)
            counts["crees"] += 1
            changed = True
        else:
            probe = Dispositif(slug=dispositif.slug, **values)
            changed = probe.configuration(champs, pieces) != dispositif.configuration() or any(
                getattr(dispositif, k) != v for k, v in values.items()
            )
            if changed:
                for key, value in values.items():
                    setattr(dispositif, key, value)
                dispositif.save()
                dispositif.champs.all().delete()
                dispositif.pieces.all().delete()
                counts["modifies"] += 1
            else:
                counts["inchanges"] += 1
        if changed:
            for item in champs + pieces:
                item.dispositif = dispositif
            ChampSupplementaire.objects.bulk_create(champs)
            PieceDemandee.objects.bulk_create(pieces)
        before = dispositif.version_courante_id
        try:
            version = dispositif_publier(dispositif=dispositif, par=None)
        except (PublicationRefusee, ConfigurationError) as error:
            raise PublicationRefusee([f"{entry['slug']} : {error}"]) from error
        if version.pk != before:
            counts["versions"] += 1
    return counts
