"""Pagination of the work queue with a bounded count.

Counting every dossier of a large scope (an administrator sees them all) costs as much as reading
them; past ``PLAFOND`` the queue says « plus de 100 000 dossiers » and invites to filter, which is
what an agent does anyway. Pages stay reachable up to the ceiling."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PLAFOND = 100_000


class PaginatorPlafonne(Paginator):
    plafond = PLAFOND

    @cached_property
    def count(self) -> int:
        compte = self.object_list.order_by().values("pk")[: self.plafond + 1].count()
        self.depasse = compte > self.plafond
        return min(compte, self.plafond)

    depasse = False
