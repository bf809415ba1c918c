"""`manage.py seed_demo`: load the demo data set once (does nothing if it is there)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from aftersales.core import demo


class Command(BaseCommand):
    help = _("Load the demo data (teams, staff, customers, products, service requests) once.")

    def handle(self, *args: object, **options: object) -> None:
        result = demo.demo_seed()
        if not result.created:
            self.stdout.write(_("The demo data are already there; nothing to do."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded: %(customers)d customers, %(units)d units, "
                    "%(requests)d service requests."
                )
                % result.counts
            )
        )
        self.stdout.write(
            _("Demo accounts (also saved to %(file)s):") % {"file": demo.ACCOUNTS_FILE}
        )
        for username, role, password in result.accounts:
            self.stdout.write(f"  {username:<12} {role:<20} {password}")
