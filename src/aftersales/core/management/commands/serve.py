"""`manage.py serve --port N`: the whole product on one machine (what `make run` starts)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersales.config.env import env_int, env_str
from aftersales.core import server


class Command(BaseCommand):
    help = _(
        "Migrate, collect static files, create the administrator and the demo data once, "
        "then run the web server and the background worker until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("AFTERSALES_PORT", 8000),
            help=_("Port on 127.0.0.1 (AFTERSALES_BIND overrides the whole address)."),
        )

    def handle(self, *args: object, **options: object) -> None:
        port = int(options["port"])  # type: ignore[call-overload]
        bind = env_str("AFTERSALES_BIND", "") or f"127.0.0.1:{port}"
        host, _sep, bind_port = bind.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - only when the operator says so
        if not bind_port.isdigit():
            raise CommandError(
                _("AFTERSALES_BIND must be HOST:PORT, not %(bind)r.") % {"bind": bind}
            )
        if not server.port_is_free(host, int(bind_port)):
            raise CommandError(_("%(bind)s is already in use.") % {"bind": bind})

        verbosity = int(options["verbosity"])  # type: ignore[call-overload]
        self.stdout.write(_("Preparing the database and static files…"))
        prepared = server.server_prepare(verbosity=max(0, verbosity - 1))
        if prepared.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Administrator account created: %(user)s / %(password)s "
                        "(shown only this once; change it after signing in)."
                    )
                    % {"user": prepared.admin_username, "password": prepared.admin_password}
                )
            )
        if prepared.demo_loaded:
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded. Demo accounts:")))
            for username, role, password in prepared.demo_accounts:
                self.stdout.write(f"  {username:<12} {role:<20} {password}")

        supervisor = server.Supervisor(
            [
                server.Child(_("web server"), server.web_command(bind)),
                server.Child(_("background worker"), server.worker_command()),
            ],
            write=lambda line: self.stdout.write(line),
        )
        supervisor.install_signal_handlers()
        supervisor.start()
        web = supervisor.children[0]
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        url_host = f"[{shown_host}]" if ":" in shown_host else shown_host
        if server.wait_for_port(shown_host, int(bind_port), timeout=30, alive=lambda: web.running):
            self.stdout.write(
                self.style.SUCCESS(
                    _("Aftersales is running at %(url)s — press Ctrl-C to stop.")
                    % {"url": f"http://{url_host}:{bind_port}/"}
                )
            )
        code = supervisor.watch()
        if code:
            raise CommandError(_("The server stopped because a process ended."), returncode=code)
        self.stdout.write(_("Stopped."))
