import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mdna import health, services
from mdna.forms import InscriptionForm, RenvoiVerificationForm
from mdna.middleware import client_ip
from mdna.models import Role, User

logger = logging.getLogger(__name__)


@require_GET
def accueil(request: HttpRequest) -> HttpResponse:
    return render(request, "mdna/accueil.html")


@require_GET
def page(request: HttpRequest, *, template: str) -> HttpResponse:
    return render(request, f"mdna/pages/{template}.html")


@require_GET
@cache_control(max_age=3600, public=True)
def theme_css(request: HttpRequest) -> HttpResponse:
    """The Region's colour, set by settings, as a stylesheet (no inline style under our CSP)."""
    css = f":root {{ --couleur-primaire: {settings.MDNA_PRIMARY_COLOR}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, data = health.report()
    return JsonResponse(data, status=200 if healthy else 503)


@login_required
def tableau_de_bord(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.USAGER:
        return redirect("espace:tableau_de_bord")
    return render(request, "mdna/tableau_de_bord.html", {"Role": Role})


@require_http_methods(["GET", "POST"])
def inscription(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("tableau_de_bord")
    form = InscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.usager_inscrire(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            ip=client_ip(request),
        )
        return render(request, "registration/inscription_envoyee.html", {"email": data["email"]})
    return render(request, "registration/inscription.html", {"form": form})


@require_GET
def verifier_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_verifier(token=token)
    except services.EmailVerificationError as error:
        return render(request, "registration/verification_echouee.html", {"erreur": str(error)})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Votre adresse est confirmée. Bienvenue sur votre espace.")
    return redirect("tableau_de_bord")


@require_http_methods(["GET", "POST"])
def renvoyer_verification(request: HttpRequest) -> HttpResponse:
    form = RenvoiVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], email_verified_at__isnull=True
        ).first()
        if user is not None:
            services.send_email_verification(user=user)
        # Same answer whether the account exists or not: nothing leaks.
        return render(
            request,
            "registration/inscription_envoyee.html",
            {"email": form.cleaned_data["email"]},
        )
    return render(request, "registration/renvoyer_verification.html", {"form": form})


def erreur_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def erreur_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def erreur_500(request: HttpRequest) -> HttpResponse:
    reference = getattr(request, "reference", "")
    return render(request, "500.html", {"reference": reference}, status=500)
