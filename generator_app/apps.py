from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    """Create the database cache's table whenever `migrate` runs (start.sh, a test database).

    The throttles need a cache that every gunicorn process shares; without Redis that is a
    table in the site's database, which `createcachetable` (idempotent) makes. Hooking it
    here means no separate deployment step can be forgotten.
    """
    from django.conf import settings
    from django.core.management import call_command

    backends = {cache["BACKEND"] for cache in settings.CACHES.values()}
    if "django.core.cache.backends.db.DatabaseCache" in backends:
        call_command("createcachetable", database=using, verbosity=0)


class GeneratorAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "generator_app"
    verbose_name = "HandGen"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="handgen-create-cache-table")

        from . import signals
        from .models import DatasetExport, Hand, HandSheet

        post_delete.connect(signals.remove_hand_folder, sender=Hand, dispatch_uid="handgen-hand-files")
        post_delete.connect(signals.remove_sheet_photo, sender=HandSheet, dispatch_uid="handgen-sheet-photo")
        post_delete.connect(signals.remove_export_file, sender=DatasetExport, dispatch_uid="handgen-export-file")
