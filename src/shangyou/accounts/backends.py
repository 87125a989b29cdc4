from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Sign in with the email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip().lower()
        return super().authenticate(request, username=email, password=password)
