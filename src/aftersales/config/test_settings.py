"""Settings for the test suite: the normal settings with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("AFTERSALES_TESTING", "1")
os.environ.setdefault("AFTERSALES_DATA_DIR", tempfile.mkdtemp(prefix="aftersales-test-"))
os.environ.setdefault(
    "AFTERSALES_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef"
)

from aftersales.config.settings import *  # noqa: F403
