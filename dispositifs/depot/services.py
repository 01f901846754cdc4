"""Filing a request: draft, answers saved at each step, pieces, prefill, idempotent submit."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dispositifs.engine.forms import validate_answers
from dispositifs.engine.storage import document, trunk_columns
from dispositifs.models import (
    Compteur,
    Dispositif,
    Dossier,
    Etat,
    EvenementDossier,
    Piece,
)
from mdna import audit, webhooks
from mdna.fichiers import empreinte_sha256
from mdna.models import DocumentCoffre, Tiers, TypeDocument, User

TRUNK_STEPS = ("demandeur", "projet", "financement", "banque", "pieces", "engagements")
# Answers never copied from a previous dossier: each request states its own dates and oath.
# Piece codes that are documents of the Tiers (not of one project): kept in the safe.
REUSABLE = {
    TypeDocument.STATUTS,
    TypeDocument.KBIS,
    TypeDocument.RIB,
    TypeDocument.ATTESTATION_FISCALE,
    TypeDocument.ATTESTATION_SOCIALE,
    TypeDocument.COMPTES_ANNUELS,
    TypeDocument.AVIS_IMPOSITION,
    TypeDocument.JUSTIFICATIF_DOMICILE,
}
NOT_REUSED = {"projet_dates", "attestation_honneur", "engagement_publicite", "consentement_donnees"}


class DepotImpossible(Exception):
    """A submit that cannot happen now; the message says why and what to do."""

    def __init__(self, message: str, *, etapes: dict | None = None):
        super().__init__(message)
        self.etapes = etapes or {}


@dataclass(frozen=True)
class Prefill:
    answers: dict
    prefilled: set[str]
    trunk_inputs: set[str]

    @property
    def share(self) -> float:
        return (
            len(self.prefilled & self.trunk_inputs) / len(self.trunk_inputs)
            if self.trunk_inputs
            else 0.0
        )


def _trunk_inputs(schema: dict) -> set[str]:
    keys = set()
    for step in schema["steps"]:
        if step["key"] not in TRUNK_STEPS:
            continue
        for field in step["fields"]:
            if field["type"] not in ("info", "computed"):
                keys.add(field["key"])
    return keys


def prefill(*, tiers: Tiers, schema: dict, exclude_dossier: Dossier | None = None) -> Prefill:
    """« Dites-le nous une fois » : what we already know of the Tiers, its previous dossier and
    its safe, for the trunk of this scheme's form."""
    known = {f["key"]: f for step in schema["steps"] for f in step["fields"]}
    answers: dict = {}
    choices = {c[0] for c in known.get("demandeur_type", {}).get("choices", [])}
    if tiers.type in choices:
        answers["demandeur_type"] = tiers.type
    from_tiers = {
        "nom": tiers.nom,
        "siret": tiers.siret,
        "rna": tiers.rna,
        "representant": tiers.representant,
        "adresse": tiers.adresse or None,
        "email": tiers.email,
        "telephone": tiers.telephone,
        "date_naissance": tiers.date_naissance.isoformat() if tiers.date_naissance else None,
        "titulaire": tiers.titulaire,
        "iban": tiers.iban,
        "bic": tiers.bic,
    }
    answers.update({k: v for k, v in from_tiers.items() if v and k in known})
    previous = (
        Dossier.objects.filter(tiers=tiers)
        .exclude(etat=Etat.BROUILLON)
        .exclude(pk=exclude_dossier.pk if exclude_dossier else None)
        .order_by("-depose_le")
        .first()
    )
    if previous is not None:
        for key, value in previous.answers().items():
            spec = known.get(key)
            if (
                spec is None
                or key in answers
                or key in NOT_REUSED
                or spec["type"] in ("file", "info", "computed")
                or value in (None, "", [], {})
            ):
                continue
            if spec["type"] == "choice" and value not in {c[0] for c in spec.get("choices", [])}:
                continue
            answers[key] = value
    today = timezone.localdate()
    documents = {}
    for doc in DocumentCoffre.objects.filter(tiers=tiers, archive=False).order_by("-depose_le"):
        if doc.valide_jusqu_au and doc.valide_jusqu_au < today:
            continue
        documents.setdefault(doc.type, doc)
    for key, spec in known.items():
        if spec["type"] == "file" and spec.get("piece") in documents:
            answers[key] = {
                "coffre": documents[spec["piece"]].pk,
                "nom": documents[spec["piece"]].nom,
            }
    trunk = _trunk_inputs(schema)
    return Prefill(
        answers=answers, prefilled={k for k in answers if k in trunk}, trunk_inputs=trunk
    )


def peut_agir_pour(user: User, tiers: Tiers) -> bool:
    from mdna.selectors import est_membre

    return est_membre(user, tiers)


@transaction.atomic
def brouillon_creer(*, dispositif: Dispositif, tiers: Tiers, par: User) -> Dossier:
    """A new draft for the scheme's current version, prefilled; pieces from the safe attached."""
    if not peut_agir_pour(par, tiers):
        raise PermissionDenied("Vous n'agissez pas pour ce bénéficiaire.")
    version = dispositif.version_courante
    if version is None:
        raise DepotImpossible("Ce dispositif n'est pas publié.")
    if tiers.type not in version.schema["beneficiaires"]:
        raise DepotImpossible(
            f"Ce dispositif n'est pas ouvert aux demandeurs de type « {tiers.get_type_display()} »."
        )
    dossier = Dossier.objects.create(
        dispositif=dispositif, version=version, tiers=tiers, demandeur=par, etat=Etat.BROUILLON
    )
    filled = prefill(tiers=tiers, schema=version.schema, exclude_dossier=dossier)
    answers = dict(filled.answers)
    for key, value in list(answers.items()):
        if isinstance(value, dict) and "coffre" in value:
            doc = DocumentCoffre.objects.get(pk=value["coffre"])
            piece = _piece_depuis_coffre(
                dossier=dossier, code=key.removeprefix("piece_"), doc=doc, par=par
            )
            answers[key] = piece.reference()
    _save_answers(dossier, answers)
    dossier.etape_courante = version.schema["steps"][0]["key"]
    dossier.save()
    audit.record(
        actor=par,
        action="dossier.brouillon_cree",
        target=dossier,
        after={
            "dispositif": dispositif.slug,
            "version": version.numero,
            "prefill": round(filled.share, 2),
        },
    )
    return dossier


def _save_answers(dossier: Dossier, answers: dict) -> None:
    for column, value in trunk_columns(answers).items():
        setattr(dossier, column, value)
    dossier.reponses = document(answers)


def _check_draft(dossier: Dossier, par: User) -> None:
    if dossier.etat != Etat.BROUILLON:
        raise DepotImpossible("Ce dossier est déjà déposé : il ne se modifie plus en ligne.")
    if not peut_agir_pour(par, dossier.tiers):
        raise PermissionDenied


@transaction.atomic
def etape_enregistrer(
    *, dossier: Dossier, par: User, etape: str, reponses: dict, suivante: str = ""
) -> Dossier:
    """Save one step's answers into the draft (called at each step: nothing typed is lost)."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _check_draft(dossier, par)
    answers = dossier.answers()
    answers.update(reponses)
    _save_answers(dossier, answers)
    dossier.etape_courante = suivante or etape
    dossier.verrou = F("verrou") + 1
    dossier.save()
    dossier.refresh_from_db()
    return dossier


class ReponsesInvalides(Exception):
    """The answers of a step do not pass the form's validation: field → messages."""

    def __init__(self, erreurs: dict[str, list[str]]):
        super().__init__("Certaines réponses sont invalides.")
        self.erreurs = erreurs


def etape_repondre(*, dossier: Dossier, par: User, etape: str, reponses: dict) -> Dossier:
    """Answers of one step given as JSON (the API): validated by the wizard's own form for that
    step (the engine binds JSON answers exactly as stored drafts are re-validated), then saved
    like a step of the wizard. Files are not given here: see ``piece_joindre``."""
    from dispositifs.engine.forms import bind_stored, step_keys

    schema = dossier.version.schema
    if etape not in step_keys(schema):
        raise ReponsesInvalides({"etape": [f"Étape inconnue : « {etape} »."]})
    step = next(s for s in schema["steps"] if s["key"] == etape)
    connues = {f["key"]: f for f in step["fields"]}
    inconnues = sorted(set(reponses) - set(connues))
    if inconnues:
        raise ReponsesInvalides({k: ["Ce champ n'existe pas à cette étape."] for k in inconnues})
    fichiers = [k for k in reponses if connues[k]["type"] == "file"]
    if fichiers:
        raise ReponsesInvalides(
            {
                k: ["Un fichier se joint par l'envoi d'une pièce, pas dans les réponses."]
                for k in fichiers
            }
        )
    answers = {**dossier.answers(), **reponses}
    form = bind_stored(schema, etape, answers)
    if not form.is_valid():
        raise ReponsesInvalides(
            {
                ("non_field_errors" if k == "__all__" else k): [e["message"] for e in v]
                for k, v in form.errors.get_json_data().items()
            }
        )
    valides = form.answers_json()
    for name, spec in form.specs.items():
        if spec["type"] == "file" and answers.get(name):
            valides[name] = answers[name]
    keys = step_keys(schema)
    suivante = keys[keys.index(etape) + 1] if keys.index(etape) + 1 < len(keys) else etape
    courante = dossier.etape_courante
    if courante in keys and keys.index(courante) > keys.index(etape):
        suivante = courante
    return etape_enregistrer(
        dossier=dossier, par=par, etape=etape, reponses=valides, suivante=suivante
    )


def piece_joindre(*, dossier: Dossier, par: User, champ: str, fichier) -> Piece:
    """A file for a file field of the form (the API), size- and type-checked on its content
    with the field's own limits, exactly as the wizard does, then recorded in the draft."""
    from django.core.exceptions import ValidationError

    from dispositifs.engine.fields import check_upload
    from dispositifs.engine.forms import form_class

    schema = dossier.version.schema
    for step in schema["steps"]:
        spec = next((f for f in step["fields"] if f["key"] == champ), None)
        if spec is not None:
            break
    if spec is None or spec["type"] != "file":
        raise ReponsesInvalides({"champ": [f"Le formulaire n'a pas de pièce « {champ} »."]})
    _check_draft(dossier, par)
    field = form_class(schema, step["key"])().fields[champ]
    try:
        kind = check_upload(
            fichier,
            allowed=tuple(spec.get("types") or ("pdf", "jpg", "png")),
            max_bytes=field.max_bytes,
        )
    except ValidationError as error:
        raise ReponsesInvalides({"fichier": error.messages}) from error
    with transaction.atomic():
        piece = piece_deposer(
            dossier=dossier,
            par=par,
            code=spec.get("piece", champ),
            fichier=fichier,
            type_contenu=kind,
        )
        etape_enregistrer(
            dossier=dossier,
            par=par,
            etape=dossier.etape_courante or step["key"],
            reponses={champ: piece.reference()},
        )
    return piece


@transaction.atomic
def message_usager_envoyer(*, dossier: Dossier, par: User, texte: str, piece_jointe=None):
    """The applicant writes to the instructing service (the attachment is already checked)."""
    from dispositifs.models import Message

    if not peut_agir_pour(par, dossier.tiers):
        raise PermissionDenied
    message = Message(dossier=dossier, auteur=par, texte=texte)
    if piece_jointe:
        message.piece_jointe.save(piece_jointe.name, piece_jointe, save=False)
        message.nom_piece_jointe = piece_jointe.name[:255]
    message.save()
    audit.record(actor=par, action="dossier.message_usager", target=dossier)
    return message


@transaction.atomic
def piece_deposer(
    *, dossier: Dossier, par: User, code: str, fichier, type_contenu: str = ""
) -> Piece:
    """Store an uploaded piece (already checked for size and type by the form field)."""
    if dossier.etat == Etat.BROUILLON:
        _check_draft(dossier, par)
    elif not peut_agir_pour(par, dossier.tiers):
        raise PermissionDenied
    piece = Piece(
        dossier=dossier,
        code=code,
        nom=fichier.name[:255],
        taille=fichier.size,
        type_contenu=type_contenu,
        sha256=empreinte_sha256(fichier),
        depose_par=par,
    )
    piece.fichier.save(fichier.name, fichier, save=False)
    if code in REUSABLE:
        # A document of the Tiers (not of the project) is also filed in its safe: never asked again.
        piece.document_coffre = DocumentCoffre.objects.create(
            tiers=dossier.tiers,
            type=code,
            fichier=piece.fichier.name,
            nom=piece.nom,
            taille=piece.taille,
            sha256=piece.sha256,
            depose_par=par,
        )
    piece.save()
    audit.record(
        actor=par, action="piece.deposee", target=dossier, after={"code": code, "nom": piece.nom}
    )
    return piece


def _piece_depuis_coffre(*, dossier: Dossier, code: str, doc: DocumentCoffre, par: User) -> Piece:
    piece = Piece.objects.create(
        dossier=dossier,
        code=code,
        fichier=doc.fichier.name,
        nom=doc.nom,
        taille=doc.taille,
        sha256=doc.sha256,
        document_coffre=doc,
        depose_par=par,
    )
    audit.record(
        actor=par,
        action="piece.depuis_coffre",
        target=dossier,
        after={"code": code, "document": doc.pk},
    )
    return piece


@transaction.atomic
def piece_depuis_coffre(*, dossier: Dossier, par: User, code: str, document_id: int) -> Piece:
    _check_draft(dossier, par)
    doc = DocumentCoffre.objects.get(pk=document_id, tiers=dossier.tiers, archive=False)
    piece = _piece_depuis_coffre(dossier=dossier, code=code, doc=doc, par=par)
    etape_enregistrer(
        dossier=dossier, par=par, etape="pieces", reponses={f"piece_{code}": piece.reference()}
    )
    return piece


def _numero(prefixe: str) -> str:
    year = timezone.localdate().year
    cle = f"dossier-{year}-{prefixe}"
    Compteur.objects.get_or_create(cle=cle)
    compteur = Compteur.objects.select_for_update().get(cle=cle)
    compteur.valeur += 1
    compteur.save(update_fields=["valeur"])
    return f"{year}-{prefixe}-{compteur.valeur:06d}"


@transaction.atomic
def dossier_deposer(*, dossier: Dossier, par: User) -> Dossier:
    """Submit the draft. Idempotent: a second call (double click, back button, resubmit)
    returns the same dossier and number."""
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("dispositif", "version")
        .get(pk=dossier.pk)
    )
    if not peut_agir_pour(par, dossier.tiers):
        raise PermissionDenied
    if dossier.etat != Etat.BROUILLON:
        return dossier
    if not dossier.dispositif.est_ouvert():
        cloture = dossier.dispositif.date_cloture
        quand = f" le {cloture:%d/%m/%Y}" if cloture else ""
        raise DepotImpossible(
            f"Le dépôt des demandes pour « {dossier.dispositif.nom} » est fermé{quand}. "
            "Votre brouillon est conservé : vous pourrez le déposer à la prochaine ouverture."
        )
    problems = validate_answers(dossier.version.schema, dossier.answers())
    if problems:
        raise DepotImpossible(
            "Certaines étapes sont incomplètes : corrigez-les avant de déposer.", etapes=problems
        )
    dossier.numero = _numero(dossier.version.schema["prefixe"])
    dossier.etat = Etat.DEPOSE
    dossier.depose_le = timezone.now()
    dossier.save(update_fields=["numero", "etat", "depose_le", "modifie_le"])
    evenement = EvenementDossier.objects.create(
        dossier=dossier,
        type="depot",
        titre="Demande déposée",
        detail=f"Votre demande porte le numéro {dossier.numero}. Le service instructeur vérifie "
        "d'abord qu'elle est complète ; vous serez prévenu par courriel à chaque étape.",
        etat_avant=Etat.BROUILLON,
        etat_apres=Etat.DEPOSE,
        auteur=par,
    )
    webhooks.changement_publier(evenement=evenement)
    audit.record(
        actor=par,
        action="dossier.depose",
        target=dossier,
        before={"etat": Etat.BROUILLON},
        after={"etat": Etat.DEPOSE, "numero": dossier.numero},
    )
    _remember_tiers(dossier)
    from editiques.services import document_demander
    from mdna.notifications import notifier

    # The acknowledgement of filing: one per dossier (the submit above returns early on resubmit,
    # and the event key makes a second request a no-op).
    document_demander(
        type="accuse_depot", par=par, cle_evenement=f"depot-{dossier.pk}", dossier=dossier
    )

    transaction.on_commit(
        lambda: notifier(
            user_id=par.pk,
            titre=f"Demande {dossier.numero} déposée",
            message=f"Votre demande « {dossier.titre} » ({dossier.dispositif.nom}) est bien déposée. "
            "Le service instructeur vérifie qu'elle est complète.",
            lien=f"/compte/dossiers/{dossier.pk}/",
            cle=f"depot-{dossier.pk}",
        )
    )
    return dossier


def _remember_tiers(dossier: Dossier) -> None:
    """What the applicant typed for the Tiers is kept for next time (dites-le nous une fois)."""
    answers = dossier.answers()
    tiers = dossier.tiers
    updates = {}
    for key in ("email", "telephone", "representant", "titulaire", "iban", "bic"):
        if answers.get(key) and not getattr(tiers, key):
            updates[key] = answers[key]
    if answers.get("adresse") and not tiers.adresse:
        updates["adresse"] = answers["adresse"]
    if updates:
        Tiers.objects.filter(pk=tiers.pk).update(**updates)


def dossier_desister(*, dossier: Dossier, par: User, motif: str = "") -> Dossier:
    """The applicant withdraws a filed request (a transition of the workflow table)."""
    from instruction.services import ActionRefusee, transition_executer

    try:
        return transition_executer(
            dossier=dossier, nom="desister", par=par, donnees={"motif": motif}
        )
    except ActionRefusee as error:
        raise DepotImpossible(str(error)) from error
