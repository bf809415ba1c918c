"""Fault points for tests of crashes at awkward moments (RELIABILITY E01).

`faultpoint(name)` does nothing unless the environment variable AFTERSALES_FAULTPOINT
names it; then the process is killed on the spot (SIGKILL: no cleanup, no rollback of what
was committed), as a power cut or the OOM killer would. Never set in production.
"""

import os
import signal

ENV = "AFTERSALES_FAULTPOINT"


def faultpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
