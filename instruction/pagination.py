"""Pagination of the work queue for large scopes.

- The count is bounded: counting every dossier of a large scope (an administrator sees them all)
  costs as much as reading them; past ``PLAFOND`` the queue says « plus de 100 000 dossiers » and
  invites to filter. Pages stay reachable up to the ceiling (1,000 results for a full-text
  search).
- A page is read in two steps: the ids of the page, in order, from an index that covers the
  sort and the scope (no row read for the skipped ones, which keeps page 500 fast), then those
  50 rows by primary key."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PLAFOND = 100_000
# A full-text search is counted in the queue's order, through the index that covers the search
# vector (docs/decisions/0015): a frequent word is checked there without reading the rows, but
# each result still costs ~100 index entries on a million dossiers. Past 200 results (four
# pages), one refines the search or adds a filter.
PLAFOND_RECHERCHE = 200


class PaginatorPlafonne(Paginator):
    plafond = PLAFOND
    depasse = False

    def __init__(
        self, *args, plafond: int | None = None, compte_dans_l_ordre: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if plafond is not None:
            self.plafond = plafond
        # Count in the list's order (same index as the page) rather than in any order.
        self.compte_dans_l_ordre = compte_dans_l_ordre

    @cached_property
    def count(self) -> int:
        lignes = self.object_list if self.compte_dans_l_ordre else self.object_list.order_by()
        compte = lignes.values("pk")[: self.plafond + 1].count()
        self.depasse = compte > self.plafond
        return min(compte, self.plafond)

    def page(self, number):
        number = self.validate_number(number)
        debut = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[debut : debut + self.per_page])
        lignes = self.object_list.order_by().in_bulk(ids) if ids else {}
        return self._get_page([lignes[pk] for pk in ids if pk in lignes], number, self)
