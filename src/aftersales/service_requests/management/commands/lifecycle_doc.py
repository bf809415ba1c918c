from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from aftersales.service_requests import lifecycle_doc


class Command(BaseCommand):
    help = "Write docs/lifecycle.md from the transition table."

    def handle(self, *args: object, **options: object) -> None:
        target = Path(settings.BASE_DIR) / "docs" / "lifecycle.md"
        target.write_text(lifecycle_doc.render(), encoding="utf-8")
        self.stdout.write(f"Wrote {target}")
