from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shangyou.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .search import repair_search_indexes
        from .services import sqlite_statistics

        # SQLite loses the search triggers when a migration rebuilds a searchable table.
        post_migrate.connect(repair_search_indexes, dispatch_uid="shangyou.search.repair")
        # …and has no statistics for new indexes (once per `migrate`: sent for this app).
        post_migrate.connect(sqlite_statistics, sender=self, dispatch_uid="shangyou.statistics")
