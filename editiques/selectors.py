"""Who may see which issued document. Agents through the instruction scope (one rule for the
whole back office), applicants through their organisations' memberships."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from editiques.models import Document, LotDocuments, Statut
from instruction.selectors import perimetre, peut_agir
from mdna.models import AGENT_ROLES, Role, User

# Documents addressed to the public accountant or the elected members, never to an applicant.
TYPES_INTERNES = frozenset({"mandat", "bordereau", "rapport_commission"})
# Documents whose signed copy is kept beside the original.
TYPES_SIGNES = frozenset({"arrete_attributif", "convention", "avenant"})
TYPES_SIGNES_PAR_LE_BENEFICIAIRE = frozenset({"convention", "avenant"})


def est_agent(user: User) -> bool:
    return user.is_authenticated and (user.role in AGENT_ROLES or user.is_superuser)


def documents_visibles(user: User) -> QuerySet[Document]:
    documents = Document.objects.all()
    if not user.is_authenticated:
        return documents.none()
    if user.is_administrateur:
        return documents
    regle = Q(dossier__in=perimetre(user).values("pk"))
    if user.role == Role.GESTIONNAIRE:
        regle |= Q(dossier__isnull=True, type__in=TYPES_INTERNES)
    if est_agent(user):
        regle |= Q(dossier__isnull=True, demande_par=user)
    regle |= Q(tiers__adhesions__user=user) & ~Q(type__in=TYPES_INTERNES)
    return documents.filter(regle).distinct()


def document_visible(user: User, pk: int, *, emis: bool = True) -> Document:
    """The document if ``user`` may see it, else 404 (never say it exists)."""
    documents = documents_visibles(user).select_related("dossier__dispositif", "tiers")
    if emis:
        documents = documents.filter(statut=Statut.RENDU)
    return get_object_or_404(documents, pk=pk)


def peut_deposer_copie(user: User, document: Document) -> bool:
    if document.type not in TYPES_SIGNES or document.statut != Statut.RENDU:
        return False
    if est_agent(user):
        return document.dossier is not None and peut_agir(user, document.dossier)
    return (
        document.type in TYPES_SIGNES_PAR_LE_BENEFICIAIRE
        and document.tiers is not None
        and document.tiers.adhesions.filter(user=user).exists()
    )


def documents_du_dossier(user: User, dossier) -> QuerySet[Document]:
    return (
        documents_visibles(user)
        .filter(dossier=dossier)
        .select_related("remplace", "dossier__dispositif", "tiers")
        .prefetch_related("copies_signees")
        .order_by("-demande_le", "-id")
    )


def lot_visible(user: User, pk: int) -> LotDocuments:
    """A lot: its creator, administrators and agents of the creator's Service."""
    lots = LotDocuments.objects.select_related("cree_par")
    if not est_agent(user):
        raise_404 = lots.none()
        return get_object_or_404(raise_404, pk=pk)
    if not user.is_administrateur:
        regle = Q(cree_par=user)
        if user.service_id:
            regle |= Q(cree_par__service_id=user.service_id)
        lots = lots.filter(regle)
    return get_object_or_404(lots, pk=pk)
