from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "shangyou.contacts"
    label = "contacts"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.urls import reverse

        from shangyou.collab.services import register_target
        from shangyou.core import lookups

        from .models import Grade, Segment, Tag
        from .selectors import customer_get

        lookups.track(Grade, Segment, Tag)  # the customer list's panels (`selectors.list_lookups`)

        register_target(
            "contacts.customer",
            customer_get,
            lambda c: reverse("contacts:customer_detail", args=[c.pk]),
        )
