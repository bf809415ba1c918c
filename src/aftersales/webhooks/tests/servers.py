"""Real HTTP servers on the loopback interface that record what they receive: the
integrator's endpoint in the webhook tests (unit and browser)."""

import http.server
import threading
from dataclasses import dataclass, field


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    host: str
    port: int
    hits: list[Hit] = field(default_factory=list)
    # What the next POSTs are answered with: (status, headers, body); the last one repeats.
    answers: list[tuple[int, dict[str, str], bytes]] = field(
        default_factory=lambda: [(200, {}, b"ok")]
    )

    def url(self, path: str = "/hook", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def serve(host: str) -> tuple[Server, http.server.ThreadingHTTPServer]:
    state = Server(host=host, port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.hits.append(Hit(self.path, dict(self.headers.items()), body))
            status, headers, answer = (
                state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
