"""Every write of the payments side: engagement, payment requests, service fait, mandates,
bordereaux, annulation-réduction, payment, lapse and repayment orders.

Invariants (also held by database constraints, see models): a mandate never exceeds its
instalment; one live payment request and one mandate per instalment; numbers gapless per
exercice; the total mandated never exceeds the engagement; every transfer has a valid IBAN.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dispositifs.engine.parsing import format_euros
from dispositifs.models import Dossier, Etat
from instruction.pilotage.services import (
    pilotage_reversement_enregistrer,
    pilotage_versement_enregistrer,
)
from instruction.selectors import peut_agir
from instruction.services import ActionRefusee, transition_executer
from instruction.workflow import FINANCES
from mdna import audit
from mdna.fichiers import empreinte_sha256
from mdna.models import Role, Tiers, TypeTiers, User
from mdna.notifications import notifier
from paiements.echeancier import calculer_echeancier, montant_au_prorata
from paiements.exports.donnees import normaliser_bic, normaliser_iban
from paiements.models import (
    DEMANDE_ACTIVES,
    ZERO,
    Bordereau,
    Civilite,
    Compteur,
    DemandeVersement,
    Echeance,
    Engagement,
    Justificatif,
    LigneMandat,
    Mandat,
    StatutDemande,
    StatutMandat,
    TitreRecette,
    TypeBordereau,
)

DELAI_CADUCITE_MOIS = 24


def est_finances(user: User) -> bool:
    return user.is_authenticated and (user.role in FINANCES or user.is_superuser)


def _check_finances(par: User) -> None:
    if not est_finances(par):
        raise PermissionDenied("Réservé aux gestionnaires financiers.")


def numero_suivant(*, type: str, exercice: int) -> int:
    """Next gapless number of ``type`` in ``exercice``: the counter row is locked until the
    caller's transaction ends, so a rolled-back transaction gives its number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numero_suivant doit être appelé dans une transaction.")
    Compteur.objects.get_or_create(type=type, exercice=exercice)
    compteur = Compteur.objects.select_for_update().get(type=type, exercice=exercice)
    compteur.valeur += 1
    compteur.save(update_fields=["valeur"])
    return compteur.valeur


def _document(*, type: str, cle: str, par: User | None, dossier=None, tiers=None, contexte=None):
    """Ask the éditiques service for a document (rendered after commit)."""
    try:
        from editiques.services import document_demander
    except ImportError:  # pragma: no cover - éditiques not installed yet
        return
    document_demander(
        type=type, par=par, cle_evenement=cle, dossier=dossier, tiers=tiers, contexte=contexte
    )


def _notifier(dossier: Dossier, *, titre: str, message: str, cle: str) -> None:
    user_id = dossier.demandeur_id
    lien = f"/compte/versements/{dossier.pk}/"
    transaction.on_commit(
        lambda: notifier(user_id=user_id, titre=titre, message=message, lien=lien, cle=cle)
    )


# --- Engagement -------------------------------------------------------------------------------


def montant_attribue(dossier: Dossier) -> Decimal | None:
    proposition = dossier.propositions.filter(statut="approuvee").order_by("-cree_le").first()
    return proposition.montant if proposition else None


@transaction.atomic
def engagement_creer(*, dossier: Dossier, par: User) -> Engagement:
    """Commit the granted amount with the scheme's default imputation and build the schedule.
    Idempotent: an existing engagement is returned as is."""
    _check_finances(par)
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("dispositif", "tiers")
        .get(pk=dossier.pk)
    )
    existant = Engagement.objects.filter(dossier=dossier).first()
    if existant:
        return existant
    if dossier.etat != Etat.ATTRIBUE:
        raise ActionRefusee("Seul un dossier attribué peut être engagé.")
    montant = montant_attribue(dossier)
    if not montant or montant <= 0:
        raise ActionRefusee("Aucun montant attribué n'est enregistré pour ce dossier.")
    imputation = dict(dossier.dispositif.imputation or {})
    aujourdhui = timezone.localdate()
    section = "02" if str(imputation.get("nature", "")).startswith("2") else "01"
    mois = int(imputation.get("delai_caducite_mois", DELAI_CADUCITE_MOIS))
    engagement = Engagement.objects.create(
        dossier=dossier,
        montant=montant,
        exercice=int(imputation.get("exercice") or aujourdhui.year),
        chapitre=str(imputation.get("chapitre", ""))[:10],
        nature=str(imputation.get("nature", ""))[:12],
        fonction=str(imputation.get("fonction", ""))[:10],
        programme=str(imputation.get("programme", ""))[:30],
        section=section,
        date_limite=_ajouter_mois(aujourdhui, mois),
        cree_par=par,
        **_personne_physique_initiale(dossier),
    )
    for ligne in calculer_echeancier(montant, dossier.dispositif.echeancier):
        Echeance.objects.create(
            engagement=engagement,
            rang=ligne.rang,
            libelle=ligne.libelle,
            pourcentage=ligne.pourcentage,
            declencheur=ligne.declencheur,
            montant=ligne.montant,
        )
    audit.record(
        actor=par,
        action="engagement.cree",
        target=engagement,
        after={"dossier": dossier.numero, "montant": str(montant), **_imputation(engagement)},
    )
    _notifier(
        dossier,
        titre=f"{dossier.numero} : vous pouvez demander vos versements",
        message=f"Votre aide de {format_euros(montant)} est enregistrée par le service financier. Demandez "
        f"le premier versement dans votre espace avant le {engagement.date_limite:%d/%m/%Y}.",
        cle=f"engagement-{engagement.pk}",
    )
    return engagement


def _personne_physique_initiale(dossier: Dossier) -> dict:
    """For an individual applicant, a first guess of the payee's identity that finance staff
    check on the engagement page: "Prénom Nom" split at the first space, and the civility if
    the scheme's form asked it (answer ``civilite``)."""
    tiers = dossier.tiers
    if tiers.type != TypeTiers.PARTICULIER:
        return {}
    prenom, _, nom = tiers.nom.strip().partition(" ")
    if not nom:
        prenom, nom = "", prenom
    reponse = str((dossier.reponses or {}).get("civilite", "")).strip().upper()
    civilite = {
        "MME": Civilite.MADAME,
        "MADAME": Civilite.MADAME,
        "M": Civilite.MONSIEUR,
        "M.": Civilite.MONSIEUR,
        "MONSIEUR": Civilite.MONSIEUR,
    }.get(reponse, "")
    return {"civilite": civilite, "prenom": prenom[:38], "nom_famille": nom.strip()[:38]}


def _personne_physique(engagement: Engagement) -> dict:
    return {
        "civilite": engagement.civilite,
        "prenom": engagement.prenom,
        "nom_famille": engagement.nom_famille,
    }


@transaction.atomic
def engagement_beneficiaire_modifier(
    *, engagement: Engagement, par: User, civilite: str, prenom: str, nom_famille: str
) -> Engagement:
    """Finance staff record the civility, first name and surname of a payee who is a natural
    person, as the accountant's file requires them (audited, before and after)."""
    _check_finances(par)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if civilite not in Civilite.values:
        raise ActionRefusee("Choisissez la civilité : Madame ou Monsieur.")
    if not prenom.strip() or not nom_famille.strip():
        raise ActionRefusee("Le prénom et le nom du bénéficiaire sont obligatoires.")
    avant = _personne_physique(engagement)
    engagement.civilite = civilite
    engagement.prenom = prenom.strip()[:38]
    engagement.nom_famille = nom_famille.strip()[:38]
    engagement.save(update_fields=["civilite", "prenom", "nom_famille"])
    audit.record(
        actor=par,
        action="engagement.beneficiaire_modifie",
        target=engagement,
        before=avant,
        after=_personne_physique(engagement),
    )
    return engagement


def _ajouter_mois(jour: dt.date, mois: int) -> dt.date:
    annee, index = divmod(jour.month - 1 + mois, 12)
    mois_cible = index + 1
    for fin in (31, 30, 29, 28):
        try:
            return jour.replace(year=jour.year + annee, month=mois_cible, day=min(jour.day, fin))
        except ValueError:
            continue
    raise ValueError(jour)  # pragma: no cover


def _imputation(engagement: Engagement) -> dict:
    return {
        "exercice": engagement.exercice,
        "chapitre": engagement.chapitre,
        "nature": engagement.nature,
        "fonction": engagement.fonction,
        "programme": engagement.programme,
    }


@transaction.atomic
def engagement_modifier(*, engagement: Engagement, par: User, **imputation) -> Engagement:
    """Finance staff correct the imputation (audited, before and after)."""
    _check_finances(par)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    avant = _imputation(engagement)
    for champ in ("exercice", "chapitre", "nature", "fonction", "programme"):
        if champ in imputation:
            setattr(engagement, champ, imputation[champ])
    engagement.section = "02" if engagement.nature.startswith("2") else "01"
    engagement.save()
    audit.record(
        actor=par,
        action="engagement.modifie",
        target=engagement,
        before=avant,
        after=_imputation(engagement),
    )
    return engagement


# --- Payment requests and service fait --------------------------------------------------------


@transaction.atomic
def demande_deposer(
    *,
    echeance: Echeance,
    par: User,
    depenses_realisees: Decimal,
    recapitulatif: str,
    justificatifs: list[tuple[object, str]],
) -> DemandeVersement:
    """The applicant asks for an instalment. ``justificatifs`` are (file, content type) pairs
    already checked on their content by the form."""
    echeance = (
        Echeance.objects.select_for_update(of=("self",))
        .select_related("engagement__dossier__tiers")
        .get(pk=echeance.pk)
    )
    dossier = echeance.engagement.dossier
    if not dossier.tiers.adhesions.filter(user=par).exists():
        raise PermissionDenied
    if dossier.etat not in (Etat.ATTRIBUE, Etat.EN_PAIEMENT):
        raise ActionRefusee("Ce dossier ne peut plus recevoir de demande de versement.")
    if echeance.demandes.filter(
        statut__in=DEMANDE_ACTIVES, reouverture=echeance.reouvertures
    ).exists():
        raise ActionRefusee("Une demande est déjà en cours ou payée pour ce versement.")
    montant = montant_demandable(echeance)
    if montant <= 0:
        raise ActionRefusee("Il ne reste rien à demander sur ce versement.")
    if echeance.declencheur != "signature" and not justificatifs:
        raise ActionRefusee("Joignez au moins un justificatif de dépenses.")
    demande = DemandeVersement.objects.create(
        echeance=echeance,
        dossier=dossier,
        montant_echeance=montant,
        reouverture=echeance.reouvertures,
        depenses_prevues=dossier.cout_total or depenses_realisees,
        depenses_realisees=depenses_realisees,
        recapitulatif=recapitulatif,
        deposee_par=par,
    )
    for fichier, type_contenu in justificatifs:
        justificatif = Justificatif(
            demande=demande,
            nom=fichier.name[:255],
            type_contenu=type_contenu,
            taille=fichier.size,
            sha256=empreinte_sha256(fichier),
        )
        justificatif.fichier.save(fichier.name, fichier, save=False)
        justificatif.save()
    audit.record(
        actor=par,
        action="versement.demande",
        target=dossier,
        after={"echeance": echeance.libelle, "depenses_realisees": str(depenses_realisees)},
    )
    return demande


def montant_demandable(echeance: Echeance) -> Decimal:
    """What a new payment request of this instalment may ask: the instalment itself while no
    mandate was issued for it; afterwards, only what annulation-réductions made payable again
    (``rouvre``) less what the later requests already ask (decision 0014)."""
    if not Mandat.objects.filter(demande__echeance=echeance).exists():
        return echeance.montant
    rouvert = Mandat.objects.filter(origine__demande__echeance=echeance, rouvre=True).aggregate(
        t=Sum("montant")
    )["t"]
    redemande = echeance.demandes.filter(statut__in=DEMANDE_ACTIVES, reouverture__gte=1).aggregate(
        t=Sum("montant_echeance")
    )["t"]
    return (rouvert or ZERO) - (redemande or ZERO)


def montant_mandate_net_echeance(echeance_id: int) -> Decimal:
    ordinaires = Mandat.objects.filter(demande__echeance=echeance_id).aggregate(t=Sum("montant"))
    annules = Mandat.objects.filter(origine__demande__echeance=echeance_id).aggregate(
        t=Sum("montant")
    )
    return (ordinaires["t"] or ZERO) - (annules["t"] or ZERO)


def montant_propose(demande: DemandeVersement) -> Decimal:
    """What the scheme's rule allows to certify (see ``echeancier.montant_au_prorata``)."""
    engagement = demande.echeance.engagement
    deja = (
        DemandeVersement.objects.filter(
            dossier=demande.dossier,
            montant_certifie__isnull=False,
            statut__in=[StatutDemande.CERTIFIEE, StatutDemande.MANDATEE, StatutDemande.PAYEE],
        )
        .exclude(pk=demande.pk)
        .aggregate(total=Sum("montant_certifie"))["total"]
        or ZERO
    ) - (
        Mandat.objects.filter(
            origine__demande__dossier=demande.dossier,
            origine__demande__statut__in=[StatutDemande.MANDATEE, StatutDemande.PAYEE],
        )
        .exclude(origine__demande=demande)
        .aggregate(t=Sum("montant"))["t"]
        or ZERO
    )
    return montant_au_prorata(
        montant_echeance=demande.montant_echeance,
        montant_aide=engagement.montant,
        deja_certifie=deja,
        depenses_prevues=demande.depenses_prevues,
        depenses_realisees=demande.depenses_realisees,
        declencheur=demande.echeance.declencheur,
        regle=str((demande.dossier.dispositif.imputation or {}).get("regle_versement", "prorata")),
    )


def _check_instructeur(par: User, dossier: Dossier) -> None:
    if par.role not in (Role.INSTRUCTEUR, Role.VALIDEUR) and not par.is_administrateur:
        raise PermissionDenied("Seul le service instructeur certifie le service fait.")
    if not peut_agir(par, dossier):
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")


@transaction.atomic
def service_fait_certifier(
    *, demande: DemandeVersement, par: User, montant: Decimal, motif: str = ""
) -> DemandeVersement:
    """The instructor certifies service fait for ``montant`` (at most what the rule allows);
    a reduction needs a reason, which the applicant reads."""
    demande = (
        DemandeVersement.objects.select_for_update(of=("self",))
        .select_related("echeance__engagement", "dossier__dispositif")
        .get(pk=demande.pk)
    )
    _check_instructeur(par, demande.dossier)
    if demande.statut != StatutDemande.DEPOSEE:
        raise ActionRefusee("Cette demande a déjà été traitée.")
    plafond = montant_propose(demande)
    if montant <= 0:
        raise ActionRefusee("Le montant certifié doit être positif ; sinon rejetez la demande.")
    if montant > plafond:
        raise ActionRefusee(f"Le montant certifié ne peut pas dépasser {format_euros(plafond)}.")
    if montant < demande.montant_echeance and not motif.strip():
        raise ActionRefusee("Expliquez la réduction : le demandeur la lira.")
    demande.statut = StatutDemande.CERTIFIEE
    demande.montant_certifie = montant
    demande.motif = motif.strip()
    demande.certifiee_par = par
    demande.certifiee_le = timezone.now()
    demande.save()
    audit.record(
        actor=par,
        action="versement.service_fait",
        target=demande.dossier,
        before={"statut": StatutDemande.DEPOSEE},
        after={"montant_certifie": str(montant), "motif": demande.motif},
    )
    _notifier(
        demande.dossier,
        titre=f"{demande.dossier.numero} : service fait certifié",
        message=f"Le service a vérifié vos justificatifs : {format_euros(montant)} vont être mis en "
        "paiement. Le virement arrive en général sous trois semaines.",
        cle=f"service-fait-{demande.pk}",
    )
    return demande


@transaction.atomic
def demande_rejeter(*, demande: DemandeVersement, par: User, motif: str) -> DemandeVersement:
    demande = (
        DemandeVersement.objects.select_for_update(of=("self",))
        .select_related("dossier")
        .get(pk=demande.pk)
    )
    _check_instructeur(par, demande.dossier)
    if demande.statut != StatutDemande.DEPOSEE:
        raise ActionRefusee("Cette demande a déjà été traitée.")
    if not motif.strip():
        raise ActionRefusee("Indiquez le motif du rejet : le demandeur le lira.")
    demande.statut = StatutDemande.REJETEE
    demande.motif = motif.strip()
    demande.certifiee_par = par
    demande.certifiee_le = timezone.now()
    demande.save()
    audit.record(
        actor=par, action="versement.rejete", target=demande.dossier, after={"motif": motif}
    )
    _notifier(
        demande.dossier,
        titre=f"{demande.dossier.numero} : demande de versement à reprendre",
        message=f"Votre demande de versement n'a pas été acceptée : {demande.motif} Vous pouvez "
        "en déposer une nouvelle avec les justificatifs corrigés.",
        cle=f"versement-rejete-{demande.pk}",
    )
    return demande


# --- Mandates ---------------------------------------------------------------------------------


def montant_mandate_net(engagement: Engagement) -> Decimal:
    ordinaires = engagement.mandats.filter(origine__isnull=True).aggregate(t=Sum("montant"))["t"]
    annules = engagement.mandats.filter(origine__isnull=False).aggregate(t=Sum("montant"))["t"]
    return (ordinaires or ZERO) - (annules or ZERO)


def _adresse(tiers: Tiers) -> tuple[str, str, str]:
    adresse = tiers.adresse or {}
    return (
        str(adresse.get("ligne") or adresse.get("voie") or "")[:255],
        str(adresse.get("code_postal") or "")[:10],
        str(adresse.get("commune") or adresse.get("ville") or "")[:100],
    )


@transaction.atomic
def mandat_liquider(
    *, demande: DemandeVersement, par: User, lignes: list[tuple[str, Decimal]] | None = None
) -> Mandat:
    """Turn a certified instalment into a numbered mandate with the payee's snapshot.

    The request row is locked first: a second finance officer liquidating the same instalment
    waits, then is told it is already done (and the unique constraint backs this up)."""
    _check_finances(par)
    demande = (
        DemandeVersement.objects.select_for_update(of=("self",))
        .select_related("echeance", "dossier__tiers", "dossier__dispositif")
        .get(pk=demande.pk)
    )
    if demande.statut != StatutDemande.CERTIFIEE:
        raise ActionRefusee(
            f"La demande de versement du dossier {demande.dossier.numero} n'est pas à liquider "
            f"(état : {demande.get_statut_display().lower()})."
        )
    if demande.dossier.etat not in (Etat.ATTRIBUE, Etat.EN_PAIEMENT):
        raise ActionRefusee(
            f"Le dossier {demande.dossier.numero} est « {demande.dossier.get_etat_display()} » : "
            "il ne peut plus être mis en paiement."
        )
    engagement = Engagement.objects.select_for_update().get(pk=demande.echeance.engagement_id)
    montant = demande.montant_certifie
    if montant_mandate_net(engagement) + montant > engagement.montant:
        raise ActionRefusee("Ce mandat dépasserait le montant engagé : rien n'a été émis.")
    if montant_mandate_net_echeance(demande.echeance_id) + montant > demande.echeance.montant:
        raise ActionRefusee("Ce mandat dépasserait le montant de l'échéance : rien n'a été émis.")
    tiers = demande.dossier.tiers
    try:
        iban = normaliser_iban(tiers.iban)
        bic = normaliser_bic(tiers.bic) if tiers.bic else ""
    except ValueError as exc:
        raise ActionRefusee(
            f"{tiers.nom} : {exc} Demandez au bénéficiaire de corriger ses coordonnées "
            "bancaires dans son espace ; aucun mandat n'a été émis."
        ) from exc
    lignes = lignes or [(f"{demande.echeance.libelle} - {demande.dossier.titre}", montant)]
    if sum((m for _, m in lignes), ZERO) != montant:
        raise ActionRefusee("Les lignes du mandat doivent totaliser le montant certifié.")
    aujourdhui = timezone.localdate()
    exercice = aujourdhui.year
    adresse, code_postal, ville = _adresse(tiers)
    mandat = Mandat.objects.create(
        exercice=exercice,
        numero=numero_suivant(type="mandat", exercice=exercice),
        engagement=engagement,
        demande=demande,
        objet=f"{demande.dossier.numero} {demande.echeance.libelle} {demande.dossier.titre}"[:255],
        montant=montant,
        plafond=demande.montant_echeance,
        date_emission=aujourdhui,
        tiers=tiers,
        tiers_nom=tiers.nom,
        tiers_siret=tiers.siret,
        tiers_type=tiers.type,
        tiers_adresse=adresse,
        tiers_code_postal=code_postal,
        tiers_ville=ville,
        tiers_titulaire=tiers.titulaire,
        iban=iban,
        bic=bic,
        cree_par=par,
    )
    for numero, (libelle, somme) in enumerate(lignes, start=1):
        LigneMandat.objects.create(
            mandat=mandat,
            numero=numero,
            libelle=libelle[:255],
            montant=somme,
            nature=engagement.nature,
            fonction=engagement.fonction,
            chapitre=engagement.chapitre,
        )
    demande.statut = StatutDemande.MANDATEE
    demande.save(update_fields=["statut"])
    audit.record(
        actor=par,
        action="mandat.emis",
        target=mandat,
        after={"dossier": demande.dossier.numero, "montant": str(montant), "iban": iban},
    )
    if demande.dossier.etat == Etat.ATTRIBUE:
        transition_executer(dossier=demande.dossier, nom="mettre_en_paiement", par=par)
    _document(
        type="mandat",
        cle=f"mandat-{mandat.exercice}-{mandat.numero}",
        par=par,
        dossier=demande.dossier,
        tiers=tiers,
        contexte={
            "mandat": f"{mandat.numero}/{mandat.exercice}",
            "objet": mandat.objet,
            "montant": str(montant),
            "exercice": mandat.exercice,
            "iban_masque": _iban_masque(iban),
            "imputation": f"chapitre {engagement.chapitre}, nature {engagement.nature}, "
            f"fonction {engagement.fonction}, programme {engagement.programme}",
        },
    )
    return mandat


def _iban_masque(iban: str) -> str:
    return f"{iban[:4]} **** **** {iban[-4:]}"


@transaction.atomic
def mandat_annuler(
    *, mandat: Mandat, par: User, montant: Decimal, motif: str, rouvrir: bool = True
) -> Mandat:
    """Reduce (or cancel, for its whole amount) a mandate already sent to the accountant:
    an annulation-réduction mandate, to be grouped in an annulation bordereau. With
    ``rouvrir`` the cancelled amount becomes payable again on the instalment: the applicant
    may file a new payment request for it (decision 0014)."""
    _check_finances(par)
    origine = Mandat.objects.select_for_update().get(pk=mandat.pk)
    if origine.est_annulation or origine.bordereau_id is None:
        raise ActionRefusee("Seul un mandat ordinaire déjà en bordereau s'annule ainsi.")
    if origine.statut != StatutMandat.EMIS:
        raise ActionRefusee("Ce mandat est payé : émettez un ordre de reversement.")
    if not motif.strip():
        raise ActionRefusee("Indiquez le motif de l'annulation ou de la réduction.")
    deja = origine.annulations.aggregate(t=Sum("montant"))["t"] or ZERO
    reste = origine.montant - deja
    if montant <= 0 or montant > reste:
        raise ActionRefusee(
            f"Le montant annulé doit être compris entre 0,01 € et {format_euros(reste)}."
        )
    aujourdhui = timezone.localdate()
    annulation = Mandat.objects.create(
        exercice=origine.exercice,
        numero=numero_suivant(type="mandat", exercice=origine.exercice),
        engagement=origine.engagement,
        origine=origine,
        objet=f"Annulation-réduction du mandat {origine.numero} : {motif}"[:255],
        montant=montant,
        plafond=reste,
        rouvre=rouvrir,
        date_emission=aujourdhui,
        **{f.name: getattr(origine, f.name) for f in Mandat._meta.fields if _est_cliche(f.name)},
        cree_par=par,
    )
    restant = montant
    for ligne in origine.lignes.order_by("-numero"):
        part = min(restant, ligne.montant)
        if part <= 0:
            break
        LigneMandat.objects.create(
            mandat=annulation,
            numero=ligne.numero,
            libelle=f"Réduction : {motif}"[:255],
            montant=part,
            nature=ligne.nature,
            fonction=ligne.fonction,
            chapitre=ligne.chapitre,
        )
        restant -= part
    if montant == reste:
        DemandeVersement.objects.filter(pk=origine.demande_id).update(statut=StatutDemande.ANNULEE)
    if rouvrir:
        echeance = Echeance.objects.select_for_update().get(demandes__mandat=origine)
        echeance.reouvertures += 1
        echeance.save(update_fields=["reouvertures"])
    audit.record(
        actor=par,
        action="mandat.annulation_reduction",
        target=origine,
        after={
            "annulation": annulation.numero,
            "montant": str(montant),
            "motif": motif,
            "rouvre": rouvrir,
        },
    )
    return annulation


def _est_cliche(nom: str) -> bool:
    return nom == "tiers" or nom.startswith("tiers_") or nom in ("iban", "bic")


@transaction.atomic
def bordereau_creer(*, mandats: list[Mandat], par: User) -> Bordereau:
    """Group mandates of one exercice and one kind (ordinary or annulation) in a bordereau."""
    _check_finances(par)
    ids = sorted({m.pk for m in mandats})
    if not ids:
        raise ActionRefusee("Choisissez au moins un mandat.")
    verrouilles = list(Mandat.objects.select_for_update().filter(pk__in=ids).order_by("numero"))
    if len(verrouilles) != len(ids) or any(m.bordereau_id for m in verrouilles):
        raise ActionRefusee("Un des mandats choisis est déjà dans un bordereau.")
    exercices = {m.exercice for m in verrouilles}
    if len(exercices) != 1:
        raise ActionRefusee("Un bordereau ne regroupe que des mandats d'un même exercice.")
    types = {m.est_annulation for m in verrouilles}
    if len(types) != 1:
        raise ActionRefusee(
            "Les annulations-réductions vont dans un bordereau à part : choisissez l'un ou l'autre."
        )
    exercice = exercices.pop()
    type_ = TypeBordereau.ANNULATION if types.pop() else TypeBordereau.ORDINAIRE
    bordereau = Bordereau.objects.create(
        exercice=exercice,
        numero=numero_suivant(type="bordereau", exercice=exercice),
        type=type_,
        date_emission=timezone.localdate(),
        nombre_mandats=len(verrouilles),
        montant_total=sum((m.montant for m in verrouilles), ZERO),
        cree_par=par,
    )
    Mandat.objects.filter(pk__in=ids).update(bordereau=bordereau)
    audit.record(
        actor=par,
        action="bordereau.cree",
        target=bordereau,
        after={"mandats": [m.numero for m in verrouilles], "total": str(bordereau.montant_total)},
    )
    _document(
        type="bordereau",
        cle=f"bordereau-{bordereau.exercice}-{bordereau.numero}",
        par=par,
        contexte={
            "bordereau": f"{bordereau.numero}/{bordereau.exercice}",
            "exercice": bordereau.exercice,
            "destinataire": "Comptable public",
            "total": str(bordereau.montant_total),
            "lignes": [
                {
                    "reference": f"{m.numero}/{m.exercice}",
                    "beneficiaire": m.tiers_nom,
                    "libelle": m.objet,
                    "montant": str(m.montant),
                }
                for m in verrouilles
            ],
        },
    )
    return bordereau


# --- Payment ----------------------------------------------------------------------------------


@transaction.atomic
def mandat_marquer_paye(*, mandat: Mandat, par: User, le: dt.date, source: str = "manuel") -> bool:
    """Record that the accountant paid a mandate; tell the applicant; close the dossier when
    every instalment is paid. Returns False when it was already recorded (idempotent)."""
    _check_finances(par)
    mandat = (
        Mandat.objects.select_for_update(of=("self",))
        .select_related("demande__echeance", "engagement__dossier")
        .get(pk=mandat.pk)
    )
    if mandat.est_annulation:
        raise ActionRefusee("Une annulation-réduction n'est pas un paiement.")
    if mandat.statut == StatutMandat.PAYE:
        return False
    if mandat.bordereau_id is None:
        raise ActionRefusee("Ce mandat n'a pas encore été transmis dans un bordereau.")
    annule = mandat.annulations.aggregate(t=Sum("montant"))["t"] or ZERO
    verse = mandat.montant - annule
    if verse <= 0:
        raise ActionRefusee("Ce mandat a été entièrement annulé : il n'y a rien à payer.")
    mandat.statut = StatutMandat.PAYE
    mandat.paye_le = le
    mandat.save(update_fields=["statut", "paye_le"])
    DemandeVersement.objects.filter(pk=mandat.demande_id).update(statut=StatutDemande.PAYEE)
    dossier = mandat.engagement.dossier
    audit.record(
        actor=par,
        action="mandat.paye",
        target=mandat,
        after={"le": le.isoformat(), "source": source, "montant": str(verse)},
    )
    pilotage_versement_enregistrer(
        dossier=dossier, montant=verse, cle=f"mandat-{mandat.pk}", par=par
    )
    _notifier(
        dossier,
        titre=f"{dossier.numero} : versement effectué",
        message=f"La Région vous a versé {format_euros(verse)} ({mandat.demande.echeance.libelle}) le "
        f"{le:%d/%m/%Y}. Le virement apparaît sur votre compte sous quelques jours.",
        cle=f"mandat-paye-{mandat.pk}",
    )
    _document(
        type="avis_paiement",
        cle=f"avis-paiement-{mandat.exercice}-{mandat.numero}",
        par=par,
        dossier=dossier,
        tiers=mandat.tiers,
        contexte={
            "mandat": f"{mandat.numero}/{mandat.exercice}",
            "montant": str(verse),
            "date_paiement": le.isoformat(),
            "iban_masque": _iban_masque(mandat.iban),
        },
    )
    toutes_payees = all(
        _echeance_soldee(e) for e in Echeance.objects.filter(engagement=mandat.engagement_id)
    )
    if toutes_payees and dossier.etat == Etat.EN_PAIEMENT:
        transition_executer(dossier=dossier, nom="solder", par=par)
    return True


def _echeance_soldee(echeance: Echeance) -> bool:
    """Paid, nothing in progress, and nothing made payable again left to ask."""
    statuts = set(echeance.demandes.values_list("statut", flat=True))
    en_cours = statuts & {StatutDemande.DEPOSEE, StatutDemande.CERTIFIEE, StatutDemande.MANDATEE}
    return StatutDemande.PAYEE in statuts and not en_cours and montant_demandable(echeance) <= 0


# --- Lapse and repayment ----------------------------------------------------------------------


@transaction.atomic
def caducites_signaler(*, aujourdhui: dt.date | None = None) -> int:
    """Flag the grants with no payment request once their deadline has passed (beat task).
    The lapse itself is a decision: an agent confirms it from the finance screen."""
    aujourdhui = aujourdhui or timezone.localdate()
    engagements = Engagement.objects.filter(
        date_limite__lt=aujourdhui,
        caducite_signalee_le__isnull=True,
        dossier__etat=Etat.ATTRIBUE,
        dossier__demandes_versement__isnull=True,
    )
    nombre = 0
    for engagement in engagements.select_for_update(of=("self",)):
        engagement.caducite_signalee_le = timezone.now()
        engagement.save(update_fields=["caducite_signalee_le"])
        audit.record(actor=None, action="engagement.caducite_signalee", target=engagement)
        nombre += 1
    return nombre


@transaction.atomic
def caducite_constater(*, engagement: Engagement, par: User, motif: str) -> Dossier:
    """Confirm the lapse: the workflow transition issues the lapse letter."""
    _check_finances(par)
    return transition_executer(
        dossier=engagement.dossier, nom="constater_caducite", par=par, donnees={"motif": motif}
    )


@transaction.atomic
def titre_emettre(
    *, engagement: Engagement, par: User, montant: Decimal, motif: str
) -> TitreRecette:
    """Order the beneficiary to pay back ``montant`` (never more than what was paid)."""
    _check_finances(par)
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("dossier")
        .get(pk=engagement.pk)
    )
    paye = (
        engagement.mandats.filter(statut=StatutMandat.PAYE, origine__isnull=True).aggregate(
            t=Sum("montant")
        )["t"]
        or ZERO
    )
    deja = engagement.titres.aggregate(t=Sum("montant"))["t"] or ZERO
    if montant <= 0 or montant > paye - deja:
        raise ActionRefusee(
            f"Le montant à reverser doit être compris entre 0,01 € et {format_euros(paye - deja)}."
        )
    if not motif.strip():
        raise ActionRefusee("Indiquez le motif du reversement : il figure dans le courrier.")
    exercice = timezone.localdate().year
    titre = TitreRecette.objects.create(
        exercice=exercice,
        numero=numero_suivant(type="titre", exercice=exercice),
        engagement=engagement,
        montant=montant,
        motif=motif.strip(),
        cree_par=par,
    )
    audit.record(
        actor=par,
        action="titre.emis",
        target=titre,
        after={"montant": str(montant), "motif": motif},
    )
    dossier = engagement.dossier
    pilotage_reversement_enregistrer(
        dossier=dossier, montant=montant, cle=f"titre-{titre.pk}", par=par
    )
    _document(
        type="ordre_reversement",
        cle=f"titre-{titre.exercice}-{titre.numero}",
        par=par,
        dossier=dossier,
        tiers=dossier.tiers,
        contexte={
            "titre": f"{titre.numero}/{titre.exercice}",
            "montant": str(montant),
            "motif": titre.motif,
        },
    )
    _notifier(
        dossier,
        titre=f"{dossier.numero} : somme à reverser",
        message=f"La Région vous demande de reverser {format_euros(montant)} : {titre.motif} Le courrier "
        "dans votre coffre-fort indique comment et avant quelle date.",
        cle=f"titre-{titre.pk}",
    )
    return titre
