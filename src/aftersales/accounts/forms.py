from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from aftersales.accounts import lockout


class LoginForm(AuthenticationForm):
    """Django's sign-in form with a per-account limit on failed attempts."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and lockout.login_locked(username):
            raise self.get_invalid_login_error()
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                lockout.login_failed(username)
            raise
        lockout.login_succeeded(username)
        return cleaned
