"""Personalised alerts (sent daily by beat): new schemes that match an applicant's organisations,
calls closing within 7 days, safe documents about to expire. Idempotent by notification key."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from dispositifs.models import Dispositif, PreferencesAlertes, TypeFenetre
from mdna.models import DocumentCoffre, Role, Tiers, User
from mdna.notifications import notifier


def _correspond(dispositif: Dispositif, tiers: Tiers) -> bool:
    if tiers.type not in dispositif.beneficiaires:
        return False
    departement = (tiers.adresse or {}).get("code_postal", "")[:2]
    return not dispositif.departements or departement in dispositif.departements


def alertes_pour(user: User, *, aujourdhui: dt.date, depuis: dt.datetime) -> list[dict]:
    preferences, _ = PreferencesAlertes.objects.get_or_create(user=user)
    tiers = list(Tiers.objects.filter(adhesions__user=user))
    alertes = []
    if not tiers:
        return alertes
    publies = Dispositif.objects.publies().only(
        "slug",
        "nom",
        "beneficiaires",
        "departements",
        "fenetre_type",
        "date_cloture",
        "version_courante__publiee_le",
    )
    if preferences.nouveaux_dispositifs:
        for dispositif in publies.filter(
            version_courante__numero=1, version_courante__publiee_le__gt=depuis
        ):
            for t in tiers:
                if _correspond(dispositif, t):
                    alertes.append(
                        {
                            "titre": f"Nouvelle aide pour {t.nom} : {dispositif.nom}",
                            "message": "Une aide qui correspond à votre profil vient d'ouvrir.",
                            "lien": f"/aides/{dispositif.slug}/",
                            "cle": f"nouveau-{dispositif.slug}-{t.pk}",
                        }
                    )
                    break
    if preferences.clotures_proches:
        proches = publies.filter(
            fenetre_type=TypeFenetre.APPEL,
            date_ouverture__lte=aujourdhui,
            date_cloture__gte=aujourdhui,
            date_cloture__lte=aujourdhui + dt.timedelta(days=7),
        )
        for dispositif in proches:
            for t in tiers:
                if _correspond(dispositif, t):
                    alertes.append(
                        {
                            "titre": f"L'appel « {dispositif.nom} » ferme le {dispositif.date_cloture:%d/%m/%Y}",
                            "message": "Si vous avez un projet, déposez votre demande avant cette date.",
                            "lien": f"/aides/{dispositif.slug}/",
                            "cle": f"cloture-{dispositif.slug}-{dispositif.date_cloture}",
                        }
                    )
                    break
    if preferences.documents_expirant:
        bientot = DocumentCoffre.objects.filter(
            tiers__in=tiers,
            archive=False,
            valide_jusqu_au__gte=aujourdhui,
            valide_jusqu_au__lte=aujourdhui + dt.timedelta(days=30),
        ).select_related("tiers")
        for document in bientot:
            alertes.append(
                {
                    "titre": f"{document.get_type_display()} de {document.tiers.nom} : expire le {document.valide_jusqu_au:%d/%m/%Y}",
                    "message": "Déposez la nouvelle version dans votre coffre-fort : elle sera proposée dans vos prochaines demandes.",
                    "lien": f"/compte/organisations/{document.tiers_id}/coffre/",
                    "cle": f"expiration-{document.pk}-{document.valide_jusqu_au}",
                }
            )
    return alertes


def envoyer_alertes(*, maintenant: dt.datetime | None = None) -> int:
    maintenant = maintenant or timezone.now()
    aujourdhui = timezone.localdate(maintenant)
    count = 0
    usagers = (
        User.objects.filter(role=Role.USAGER, is_active=True)
        .filter(Q(adhesions__isnull=False))
        .distinct()
    )
    for user in usagers:
        preferences, _ = PreferencesAlertes.objects.get_or_create(user=user)
        depuis = preferences.derniere_alerte or (maintenant - dt.timedelta(days=1))
        for alerte in alertes_pour(user, aujourdhui=aujourdhui, depuis=depuis):
            notifier(user_id=user.pk, **alerte)
            count += 1
        PreferencesAlertes.objects.filter(pk=preferences.pk).update(derniere_alerte=maintenant)
    return count
