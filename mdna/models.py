"""Core models: users and their roles, the Region's services, the audit log."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    USAGER = "usager", _("Usager (demandeur)")
    INSTRUCTEUR = "instructeur", _("Instructeur")
    VALIDEUR = "valideur", _("Valideur (chef de service)")
    GESTIONNAIRE = "gestionnaire", _("Gestionnaire financier")
    CONSEILLER = "conseiller", _("Conseiller (développeur économique)")
    ADMINISTRATEUR = "administrateur", _("Administrateur")


AGENT_ROLES = frozenset({Role.INSTRUCTEUR, Role.VALIDEUR, Role.GESTIONNAIRE, Role.ADMINISTRATEUR})


class Service(models.Model):
    """A direction or service instructeur of the Region: it owns schemes, agents belong to it."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    direction = models.CharField(_("direction"), max_length=200, blank=True)
    email = models.EmailField(_("adresse de contact"), blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.nom


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATEUR)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.USAGER)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        indexes = [models.Index(fields=["role", "service"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_agent(self) -> bool:
        return self.role in AGENT_ROLES

    @property
    def is_administrateur(self) -> bool:
        return self.role == Role.ADMINISTRATEUR or self.is_superuser

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Le journal d'audit ne se modifie pas.")

    def delete(self):
        raise PermissionDenied("Le journal d'audit ne se supprime pas.")

    def for_target(self, obj: models.Model):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEvent(models.Model):
    """One row per change of state, decision, payment, export or access. Append-only:
    application code can neither update nor delete a row (and PostgreSQL refuses it too)."""

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=254)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("type de cible"), max_length=80, blank=True)
    target_id = models.CharField(_("identifiant de la cible"), max_length=64, blank=True)
    target_label = models.CharField(_("cible"), max_length=255, blank=True)
    before = models.JSONField(_("avant"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("après"), null=True, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    reference = models.CharField(_("référence de requête"), max_length=16, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} — {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Le journal d'audit ne se supprime pas.")


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker (beat every minute): /healthz tells when a worker last ran."""

    hostname = models.CharField(max_length=255)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        get_latest_by = "at"

    def __str__(self) -> str:
        return f"{self.hostname} {self.at:%d/%m/%Y %H:%M:%S}"


# --- Applicants: Tiers, memberships, digital safe, advisor access, notifications ----------------


class TypeTiers(models.TextChoices):
    PARTICULIER = "particulier", _("Particulier")
    ENTREPRISE = "entreprise", _("Entreprise")
    ASSOCIATION = "association", _("Association")
    COLLECTIVITE = "collectivite", _("Collectivité territoriale")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")


class Tiers(models.Model):
    """The person or organisation that asks for and receives aid. An account acts for one or
    several Tiers (its own person, its organisations)."""

    type = models.CharField(_("type"), max_length=24, choices=TypeTiers.choices)
    nom = models.CharField(_("nom ou raison sociale"), max_length=255)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    rna = models.CharField(_("RNA"), max_length=10, blank=True)
    forme_juridique = models.CharField(_("forme juridique"), max_length=200, blank=True)
    naf = models.CharField(_("code NAF"), max_length=10, blank=True)
    libelle_naf = models.CharField(_("activité"), max_length=255, blank=True)
    effectif = models.CharField(_("tranche d'effectif"), max_length=100, blank=True)
    adresse = models.JSONField(_("adresse"), default=dict, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    telephone = models.CharField(_("téléphone"), max_length=30, blank=True)
    representant = models.CharField(_("représentant légal"), max_length=255, blank=True)
    date_naissance = models.DateField(_("date de naissance"), null=True, blank=True)
    titulaire = models.CharField(_("titulaire du compte"), max_length=255, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    verifie = models.BooleanField(_("données vérifiées"), default=False)
    source_verification = models.CharField(_("source"), max_length=120, blank=True)
    verifie_le = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    membres = models.ManyToManyField(User, through="Adhesion", related_name="tiers")

    class Meta:
        ordering = ["nom"]
        verbose_name = _("tiers")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.nom


class RoleAdhesion(models.TextChoices):
    PROPRIETAIRE = "proprietaire", _("Responsable")
    MEMBRE = "membre", _("Membre")


class Adhesion(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="adhesions")
    tiers = models.ForeignKey(Tiers, on_delete=models.CASCADE, related_name="adhesions")
    role = models.CharField(
        _("rôle"), max_length=20, choices=RoleAdhesion.choices, default=RoleAdhesion.MEMBRE
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion")
        constraints = [models.UniqueConstraint(fields=["user", "tiers"], name="adhesion_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.tiers} ({self.get_role_display()})"


class Invitation(models.Model):
    tiers = models.ForeignKey(Tiers, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse invitée"))
    role = models.CharField(
        max_length=20, choices=RoleAdhesion.choices, default=RoleAdhesion.MEMBRE
    )
    jeton = models.CharField(max_length=64, unique=True)
    invite_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    acceptee_le = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} → {self.tiers}"


class TypeDocument(models.TextChoices):
    STATUTS = "statuts", _("Statuts")
    KBIS = "kbis", _("Extrait Kbis")
    RIB = "rib", _("RIB")
    ATTESTATION_FISCALE = "attestation_fiscale", _("Attestation de régularité fiscale")
    ATTESTATION_SOCIALE = "attestation_sociale", _("Attestation URSSAF")
    COMPTES_ANNUELS = "comptes_annuels", _("Comptes annuels")
    PV_ASSEMBLEE = "pv_assemblee", _("Procès-verbal d'assemblée générale")
    RAPPORT_ACTIVITE = "rapport_activite", _("Rapport d'activité")
    DELIBERATION = "deliberation", _("Délibération")
    AVIS_IMPOSITION = "avis_imposition", _("Avis d'imposition")
    CERTIFICAT_SCOLARITE = "certificat_scolarite", _("Certificat de scolarité")
    JUSTIFICATIF_DOMICILE = "justificatif_domicile", _("Justificatif de domicile")
    COURRIER_REGION = "courrier_region", _("Courrier de la Région")
    AUTRE = "autre", _("Autre document")


def coffre_upload_to(instance, filename: str) -> str:
    return f"coffre/{instance.tiers_id}/{timezone.now():%Y/%m}/{filename}"


class DocumentCoffre(models.Model):
    """A document of the Tiers' digital safe: reusable pieces and every document the Region
    issued. Files are private: served only through checked views."""

    tiers = models.ForeignKey(Tiers, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(_("type"), max_length=30, choices=TypeDocument.choices)
    fichier = models.FileField(_("fichier"), upload_to=coffre_upload_to, max_length=300)
    nom = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    valide_jusqu_au = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    emis_par_region = models.BooleanField(_("émis par la Région"), default=False)
    dossier = models.ForeignKey(
        "dispositifs.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    depose_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    depose_le = models.DateTimeField(_("déposé le"), default=timezone.now)
    archive = models.BooleanField(_("archivé"), default=False)

    class Meta:
        ordering = ["-depose_le"]
        verbose_name = _("document du coffre-fort")
        verbose_name_plural = _("documents du coffre-fort")
        indexes = [models.Index(fields=["tiers", "type", "archive"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.nom}"

    @property
    def expire(self) -> bool:
        return bool(self.valide_jusqu_au and self.valide_jusqu_au < timezone.localdate())


class AccesConseiller(models.Model):
    """Read access granted by an organisation to a named economic advisor (Hub PME)."""

    tiers = models.ForeignKey(Tiers, on_delete=models.CASCADE, related_name="acces_conseillers")
    conseiller = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acces_tiers")
    accorde_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    accorde_le = models.DateTimeField(default=timezone.now)
    revoque_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conseiller", "revoque_le"])]

    def __str__(self) -> str:
        return f"{self.conseiller} → {self.tiers}"


class Notification(models.Model):
    """An in-app notice (also sent by e-mail) about an event visible to the applicant."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    titre = models.CharField(max_length=255)
    message = models.TextField(blank=True)
    lien = models.CharField(max_length=300, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    lue_le = models.DateTimeField(null=True, blank=True)
    cle = models.CharField(max_length=120, blank=True, help_text="Idempotency key.")

    class Meta:
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["user", "lue_le"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cle"], condition=~models.Q(cle=""), name="notification_cle_unique"
            )
        ]

    def __str__(self) -> str:
        return self.titre


# --- API: per-user tokens, webhook subscriptions and their delivery log -------------------------


class PorteeJeton(models.TextChoices):
    LECTURE = "lecture", _("Lecture seule")
    ECRITURE = "ecriture", _("Lecture et écriture")


class JetonAPI(models.Model):
    """A personal API token for a partner system. It acts as its owner, with the owner's role
    and scope (never more); a read-only token cannot write. Only the SHA-256 of the token is
    stored: the full value is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jetons_api")
    nom = models.CharField(_("nom"), max_length=100, help_text=_("Le système qui l'utilise."))
    prefixe = models.CharField(_("préfixe"), max_length=16, db_index=True)
    empreinte = models.CharField(max_length=64, unique=True)
    portee = models.CharField(
        _("portée"), max_length=10, choices=PorteeJeton.choices, default=PorteeJeton.LECTURE
    )
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    dernier_usage_le = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoque_le = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        indexes = [models.Index(fields=["user", "revoque_le"])]

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"

    @property
    def actif(self) -> bool:
        return self.revoque_le is None


class AbonnementWebhook(models.Model):
    """A partner's URL told of every change of state of the dossiers its owner may see. Each
    call is signed with HMAC-SHA256 and the subscription's secret (kept to sign: shown once)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="abonnements_webhook")
    url = models.URLField(_("adresse appelée"), max_length=500)
    secret = models.CharField(max_length=64)
    actif = models.BooleanField(_("actif"), default=True)
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("abonnement webhook")
        verbose_name_plural = _("abonnements webhook")
        indexes = [models.Index(fields=["actif"])]

    def __str__(self) -> str:
        return self.url


class LivraisonWebhook(models.Model):
    """One event to deliver to one subscription, and what happened at each attempt."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        LIVREE = "livree", _("Livrée")
        ECHEC = "echec", _("Échec définitif")

    abonnement = models.ForeignKey(
        AbonnementWebhook, on_delete=models.CASCADE, related_name="livraisons"
    )
    evenement = models.ForeignKey(
        "dispositifs.EvenementDossier", on_delete=models.PROTECT, related_name="+"
    )
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE)
    tentatives = models.PositiveSmallIntegerField(default=0)
    code_reponse = models.PositiveSmallIntegerField(null=True, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    derniere_tentative_le = models.DateTimeField(null=True, blank=True)
    livree_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("livraison webhook")
        verbose_name_plural = _("journal des livraisons webhook")
        indexes = [models.Index(fields=["statut", "cree_le"])]
        constraints = [
            models.UniqueConstraint(
                fields=["abonnement", "evenement"], name="livraison_unique_par_evenement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.abonnement} — {self.evenement_id} ({self.get_statut_display()})"
