from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mdna import services
from mdna.models import AuditEvent, Role, Service, User

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
