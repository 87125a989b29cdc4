"""Platform objects. A profile belongs to one company; friendships, visits, conversations and
messages name both parties, and only those two companies ever see them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shangyou.core.models import BaseModel
from shangyou.core.search import SearchableModel


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Every member")
    FRIENDS = "friends", _("Business friends only")
    NOBODY = "nobody", _("Nobody")


class CompanyProfile(SearchableModel, BaseModel):
    """A company's public face on the platform, and its verification settings (M3)."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="profile"
    )
    is_public = models.BooleanField(_("listed in the directory"), default=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True, max_length=300)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    main_products = models.TextField(_("main products"), blank=True)
    industries = models.CharField(_("industries"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_visibility = models.CharField(
        _("who sees our contact details"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.FRIENDS,
    )
    friend_approval = models.BooleanField(_("friend requests need our approval"), default=True)
    message_audience = models.CharField(
        _("who may message us"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    # The company's name and badge, copied for the directory's order (verified first, then by
    # name): an index of the profile table serves that order, so a search walks it and stops
    # after a page instead of sorting every matching company by a column of another table.
    # Derived like the search columns, in `refresh_search()` (every write of a profile) and by
    # the services that rename or verify a company.
    company_name = models.CharField(max_length=200, blank=True, default="", editable=False)
    company_verified = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["is_public", "province", "city"], name="profile_region"),
            models.Index(
                fields=["is_public", "-company_verified", "company_name", "id"],
                name="profile_directory_order",
            ),
            # The companies the platform does not list (a few percent): excluded from the
            # public products by an index-only scan.
            models.Index(fields=["company"], condition=Q(is_public=False), name="profile_hidden"),
        ]
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")

    def __str__(self) -> str:
        return str(self.company)

    def search_parts(self):
        return {
            "names": [self.company.name],
            "extra": [self.main_products, self.industries, self.tagline, self.city, self.province],
        }

    def refresh_search(self) -> None:
        """The search columns and the directory's order columns, all derived from the company's
        name (and badge) and the profile."""
        super().refresh_search()
        self.company_name = self.company.name
        self.company_verified = self.company.is_verified


class Friendship(BaseModel):
    """A business-friend link (商友) between two companies, requested by one of them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Business friends")
        DECLINED = "declined", _("Declined")

    requester = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    addressee = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(_("message"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["requester", "addressee"], name="friendship_pair"),
            models.CheckConstraint(
                condition=~Q(requester=models.F("addressee")), name="friendship_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["addressee", "status"], name="friendship_addressee"),
            models.Index(fields=["requester", "status"], name="friendship_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} → {self.addressee_id} ({self.status})"

    def other(self, company_id: int):
        return self.addressee if self.requester_id == company_id else self.requester


class Visit(models.Model):
    """Views of a company's profile or public product, folded per viewer and day (访客记录).
    An anonymous viewer is counted (viewer fields empty), never named."""

    target_company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+"
    )
    target_kind = models.CharField(max_length=20, default="profile")  # profile | product
    target_id = models.BigIntegerField(default=0)
    viewer_company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    viewer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    viewer_key = models.BigIntegerField(default=0)  # the viewer company's id, 0 for anonymous
    day = models.DateField()
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_company", "target_kind", "target_id", "viewer_key", "day"],
                name="visit_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["target_company", "-last_at"], name="visit_target"),
            models.Index(fields=["viewer_company", "-last_at"], name="visit_viewer"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_company_id} viewed {self.target_company_id} on {self.day}"


class Conversation(BaseModel):
    """Messages between two member companies (消息管理, M6)."""

    company_a = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    company_b = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    a_read_at = models.DateTimeField(null=True, blank=True)
    b_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["company_a", "-last_message_at"], name="conversation_a"),
            models.Index(fields=["company_b", "-last_message_at"], name="conversation_b"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.company_a_id} ↔ {self.company_b_id}"

    def other(self, company_id: int):
        return self.company_b if self.company_a_id == company_id else self.company_a


def attachment_upload_to(instance, filename: str) -> str:
    return f"messages/{instance.conversation_id}/{filename}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender_company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+"
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    attachment = models.FileField(upload_to=attachment_upload_to, blank=True, max_length=300)
    attachment_name = models.CharField(max_length=200, blank=True)
    quoted_kind = models.CharField(max_length=30, blank=True)  # e.g. catalog.product
    quoted_id = models.BigIntegerField(null=True, blank=True)
    quoted_text = models.CharField(max_length=300, blank=True)
    # A public product of one of the two companies, quoted as a card (M6); the name is also kept
    # in `quoted_text`, so the card still reads when the product is purged.
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quoted product"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation")]

    def __str__(self) -> str:
        return self.body[:50]


class Block(models.Model):
    blocker = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_pair")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Report(models.Model):
    """A member's report of abuse, for platform staff."""

    reporter = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    reported = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reason[:50]
