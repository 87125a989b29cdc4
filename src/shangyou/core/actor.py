"""Who is acting: user + company + role + team, passed explicitly to every service and selector.

Built once per request (session or API token) by `accounts.middleware` / `accounts.auth`, and by
commands and tasks from ids. Services never look at `request`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from shangyou.accounts.models import Company, User


class Role(models.TextChoices):
    OWNER = "owner", pgettext_lazy("role", "Owner")
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    READONLY = "readonly", _("Read-only")


ADMIN_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# Roles that see only their own records (and a manager sees the team's).
OWN_RECORD_ROLES = frozenset({Role.SALES, Role.SERVICE})


@dataclass(frozen=True)
class Actor:
    user: "User"
    company: "Company"
    role: str
    team_id: int | None = None
    membership_id: int | None = None

    @property
    def company_id(self) -> int:
        return self.company.pk

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_write(self) -> bool:
        return self.role != Role.READONLY

    @property
    def sees_own_records_only(self) -> bool:
        return self.role in OWN_RECORD_ROLES

    def role_label(self) -> str:
        return str(Role(self.role).label)

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"
