from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mdna import jetons, services
from mdna.models import (
    AbonnementWebhook,
    AuditEvent,
    JetonAPI,
    LivraisonWebhook,
    Role,
    Service,
    User,
)

admin.site.site_header = _("MDNA — administration")
admin.site.site_title = _("MDNA")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "direction"]
    search_fields = ["code", "nom"]


class AgentCreationForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "service"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.USAGER:
            self.add_error("role", _("Les usagers créent eux-mêmes leur compte."))
        if role in {Role.INSTRUCTEUR, Role.VALIDEUR} and not cleaned.get("service"):
            self.add_error("service", _("Un instructeur ou un valideur appartient à un service."))
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "service", "is_active"]
    list_filter = ["role", "service", "is_active"]
    list_select_related = ["service"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "email_verified_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "phone"]}),
        (_("Rôle"), {"fields": ["role", "service", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["date_joined", "last_login", "email_verified_at"]}),
    ]
    add_form = AgentCreationForm
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "role", "service"]}),
    ]
    filter_horizontal: list[str] = []

    def save_model(self, request, obj, form, change):
        if change:
            if {"role", "service"} & set(form.changed_data):
                services.utilisateur_modifier_role(
                    par=request.user, user=obj, role=obj.role, service=obj.service
                )
            super().save_model(request, obj, form, change)
            return
        created = services.agent_creer(
            par=request.user,
            email=obj.email,
            first_name=obj.first_name,
            last_name=obj.last_name,
            role=obj.role,
            service=obj.service,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_label", "ip"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_label", "target_id", "reference"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- API: tokens, webhook subscriptions and their delivery log ----------------------------------


@admin.register(JetonAPI)
class JetonAPIAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (the full value is shown once, to them only); an
    administrator sees them and revokes them."""

    list_display = ["nom", "prefixe", "user", "portee", "cree_le", "dernier_usage_le", "revoque_le"]
    list_filter = ["portee", ("revoque_le", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["nom", "prefixe", "user__email"]
    readonly_fields = [
        "user",
        "nom",
        "prefixe",
        "portee",
        "cree_le",
        "dernier_usage_le",
        "revoque_le",
    ]
    exclude = ["empreinte"]
    actions = ["revoquer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Révoquer les jetons choisis"))
    def revoquer(self, request, queryset):
        for jeton in queryset.filter(revoque_le__isnull=True):
            jetons.jeton_revoquer(jeton=jeton, par=request.user)


class LivraisonInline(admin.TabularInline):
    model = LivraisonWebhook
    extra = 0
    can_delete = False
    fields = [
        "evenement",
        "statut",
        "tentatives",
        "code_reponse",
        "erreur",
        "derniere_tentative_le",
    ]
    readonly_fields = fields
    ordering = ["-cree_le"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AbonnementWebhook)
class AbonnementWebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "user", "actif", "cree_le"]
    list_filter = ["actif"]
    list_select_related = ["user"]
    search_fields = ["url", "user__email"]
    readonly_fields = ["user", "url", "cree_le"]
    exclude = ["secret"]
    inlines = [LivraisonInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LivraisonWebhook)
class LivraisonWebhookAdmin(admin.ModelAdmin):
    list_display = ["abonnement", "evenement", "statut", "tentatives", "code_reponse", "cree_le"]
    list_filter = ["statut"]
    list_select_related = ["abonnement", "evenement"]
    readonly_fields = [
        "abonnement",
        "evenement",
        "statut",
        "tentatives",
        "code_reponse",
        "erreur",
        "cree_le",
        "derniere_tentative_le",
        "livree_le",
    ]

    def has_add_permission(self, request) -> bool:
        return False
