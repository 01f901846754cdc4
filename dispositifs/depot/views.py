"""The filing wizard (django-formtools, named-URL steps) over the engine's steps. The draft lives
in the database: every valid step is saved, and the wizard resumes on any device."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import NamedUrlWizardView

from dispositifs.depot import services
from dispositifs.depot.selectors import brouillon_de, dossier_de_l_usager, tiers_eligibles
from dispositifs.engine.fields import check_upload
from dispositifs.engine.forms import form_class, initial_values, step_keys
from dispositifs.models import Dispositif, Dossier, Etat, Piece
from mdna.models import DocumentCoffre


class DossierStorage(BaseStorage):
    """formtools storage whose only state is the draft Dossier's current step: answers and
    pieces are saved by the wizard's process_step into the database."""

    def __init__(self, prefix, request=None, file_storage=None):
        super().__init__(prefix, request, file_storage)
        self.dossier: Dossier = request.mdna_dossier
        self.init_data()

    def _get_current_step(self):
        return self.dossier.etape_courante or None

    def _set_current_step(self, step):
        if step and step != self.dossier.etape_courante:
            self.dossier.etape_courante = step
            Dossier.objects.filter(pk=self.dossier.pk, etat=Etat.BROUILLON).update(
                etape_courante=step
            )

    def reset(self):
        """Never drop a draft."""

    def set_step_data(self, step, cleaned_data):
        """Already saved in the database by the wizard."""

    def set_step_files(self, step, files):
        """Already saved as pieces by the wizard."""

    def get_step_data(self, step):
        return None

    def get_step_files(self, step):
        return None

    def update_response(self, response):
        return None


class DepotWizard(LoginRequiredMixin, NamedUrlWizardView):
    storage_name = "dispositifs.depot.views.DossierStorage"
    template_name = "dispositifs/depot/etape.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.dossier = brouillon_de(request.user, kwargs["pk"])
        if self.dossier.etat != Etat.BROUILLON:
            return redirect("espace:dossier", pk=self.dossier.pk)
        request.mdna_dossier = self.dossier
        self.schema = self.dossier.version.schema
        self.form_list = OrderedDict(
            (key, form_class(self.schema, key)) for key in step_keys(self.schema)
        )
        self.answers = self.dossier.answers()
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request, *args, **kwargs):
        return f"depot_{kwargs['pk']}"

    def get_step_url(self, step):
        if step == self.done_step_name:
            return reverse("depot:recapitulatif", args=[self.dossier.pk])
        return reverse(self.url_name, kwargs={"pk": self.dossier.pk, "step": step})

    def get_form_kwargs(self, step=None):
        return {"answers": self.answers}

    def get_form_initial(self, step):
        return initial_values(self.schema, step, self.answers)

    def post(self, *args, **kwargs):
        action = self.request.POST.get("mdna_action", "")
        if action.startswith("coffre:"):
            return self._utiliser_coffre(action.removeprefix("coffre:"))
        if action == "enregistrer":
            return self._enregistrer_et_quitter()
        return super().post(*args, **kwargs)

    def _utiliser_coffre(self, value: str):
        code, _, document_id = value.partition(":")
        try:
            services.piece_depuis_coffre(
                dossier=self.dossier, par=self.request.user, code=code, document_id=int(document_id)
            )
        except (ValueError, DocumentCoffre.DoesNotExist) as error:
            raise Http404 from error
        messages.success(self.request, "Le document de votre coffre-fort est joint à la demande.")
        return redirect(self.get_step_url("pieces"))

    def _enregistrer_et_quitter(self):
        """Relaxed save: keep every field that is valid, even if others are not yet."""
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        form.is_valid()
        valid = {
            name: value
            for name, value in form._json_of(getattr(form, "cleaned_data", {})).items()
            if name not in form.errors and value not in (None, "", [])
        }
        self._store_files(form, only_valid=True)
        services.etape_enregistrer(
            dossier=self.dossier, par=self.request.user, etape=self.steps.current, reponses=valid
        )
        messages.success(
            self.request,
            "Votre brouillon est enregistré. Vous pourrez le reprendre depuis votre espace.",
        )
        return redirect("espace:tableau_de_bord")

    def _store_files(self, form, *, only_valid: bool = False) -> dict:
        references = {}
        for name, spec in form.specs.items():
            upload = form.files.get(form.add_prefix(name))
            if spec["type"] != "file" or upload is None:
                continue
            if only_valid and name in form.errors:
                continue
            kind = check_upload(
                upload,
                allowed=tuple(spec.get("types") or ("pdf", "jpg", "png")),
                max_bytes=form.fields[name].max_bytes,
            )
            piece = services.piece_deposer(
                dossier=self.dossier,
                par=self.request.user,
                code=spec.get("piece", name),
                fichier=upload,
                type_contenu=kind,
            )
            references[name] = piece.reference()
        if references and only_valid:
            services.etape_enregistrer(
                dossier=self.dossier,
                par=self.request.user,
                etape=self.steps.current,
                reponses=references,
            )
        return references

    def process_step(self, form):
        reponses = form.answers_json()
        reponses.update(self._store_files(form))
        for name, spec in form.specs.items():
            if spec["type"] == "file" and name not in reponses and form.initial.get(name):
                reponses[name] = form.initial[name]
        # The wizard itself then moves the current step on (DossierStorage saves it).
        self.dossier = services.etape_enregistrer(
            dossier=self.dossier, par=self.request.user, etape=self.steps.current, reponses=reponses
        )
        self.request.mdna_dossier = self.dossier
        self.storage.dossier = self.dossier
        return {}

    def process_step_files(self, form):
        return {}

    def render_done(self, form, **kwargs):
        return redirect("depot:recapitulatif", pk=self.dossier.pk)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        keys = step_keys(self.schema)
        titles = {s["key"]: s["title"] for s in self.schema["steps"]}
        current = keys.index(self.steps.current)
        saved = (
            keys.index(self.dossier.etape_courante)
            if self.dossier.etape_courante in keys
            else len(keys)
        )
        reachable = max(current, saved)
        context.update(
            dossier=self.dossier,
            dispositif=self.dossier.dispositif,
            step=next(s for s in self.schema["steps"] if s["key"] == self.steps.current),
            etapes=[
                (titles[k], self.get_step_url(k) if i <= reachable else None)
                for i, k in enumerate(keys)
            ]
            + [("Récapitulatif", None)],
            courante=current,
            coffre=self._coffre_proposals(form) if self.steps.current == "pieces" else {},
        )
        return context

    def _coffre_proposals(self, form) -> dict:
        """For each piece not yet given, the valid documents of the safe of the same type."""
        wanted = {
            spec.get("piece"): name for name, spec in form.specs.items() if spec["type"] == "file"
        }
        documents = DocumentCoffre.objects.filter(
            tiers=self.dossier.tiers, archive=False, type__in=list(wanted)
        )
        proposals: dict = {}
        for document in documents:
            if not document.expire:
                proposals.setdefault(wanted[document.type], []).append(document)
        return proposals

    def done(self, form_list, **kwargs):  # pragma: no cover - render_done redirects instead
        return redirect("depot:recapitulatif", pk=self.dossier.pk)


@login_required
@require_http_methods(["GET", "POST"])
def nouvelle_demande(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose for whom the request is made, then start (or resume) the draft."""
    dispositif = get_object_or_404(
        Dispositif.objects.publies().select_related("version_courante"), slug=slug
    )
    choix = tiers_eligibles(request.user, dispositif)
    existing = (
        Dossier.objects.filter(
            dispositif=dispositif, tiers__in=[t for t, _ in choix], etat=Etat.BROUILLON
        )
        .select_related("tiers")
        .order_by("-modifie_le")
    )
    erreur = ""
    if request.method == "POST":
        tiers = next((t for t, ok in choix if ok and str(t.pk) == request.POST.get("tiers")), None)
        if tiers is None:
            erreur = "Choisissez pour qui vous déposez cette demande."
        else:
            try:
                dossier = services.brouillon_creer(
                    dispositif=dispositif, tiers=tiers, par=request.user
                )
            except services.DepotImpossible as error:
                erreur = str(error)
            else:
                return redirect("depot:etape", pk=dossier.pk, step=dossier.etape_courante)
    return render(
        request,
        "dispositifs/depot/nouvelle.html",
        {
            "dispositif": dispositif,
            "choix": choix,
            "brouillons": existing,
            "erreur": erreur,
            "ouvert": dispositif.est_ouvert(),
        },
    )


@login_required
def reprendre(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = brouillon_de(request.user, pk)
    return redirect(
        "depot:etape",
        pk=dossier.pk,
        step=dossier.etape_courante or step_keys(dossier.version.schema)[0],
    )


@login_required
def recapitulatif(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = brouillon_de(request.user, pk)
    if dossier.etat != Etat.BROUILLON:
        return redirect("espace:dossier", pk=dossier.pk)
    from dispositifs.depot.selectors import recapitulatif as recap
    from dispositifs.engine.forms import validate_answers

    schema = dossier.version.schema
    problems = validate_answers(schema, dossier.answers())
    return render(
        request,
        "dispositifs/depot/recapitulatif.html",
        {
            "dossier": dossier,
            "sections": recap(schema, dossier.answers()),
            "problemes": problems,
            "titres": {s["key"]: s["title"] for s in schema["steps"]},
            "ouvert": dossier.dispositif.est_ouvert(),
        },
    )


@login_required
@require_POST
def deposer(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    try:
        dossier = services.dossier_deposer(dossier=dossier, par=request.user)
    except services.DepotImpossible as error:
        messages.error(request, str(error))
        return redirect("depot:recapitulatif", pk=dossier.pk)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("espace:dossier", pk=dossier.pk)


@login_required
def piece_telecharger(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    """A piece of the applicant's own dossier, through a checked view."""
    from mdna.fichiers import servir

    dossier = dossier_de_l_usager(request.user, pk)
    piece = get_object_or_404(Piece, pk=piece_pk, dossier=dossier)
    return servir(request, piece.fichier, nom=piece.nom, cible=dossier)
