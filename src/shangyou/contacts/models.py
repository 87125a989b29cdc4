"""The tenant's CRM: customers (companies and people), their contacts, grades, tags, segments,
custom fields, the timeline, tasks, documents, imports and merges (C1–C9, M2, X4)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.core.models import BaseModel, TenantModel
from shangyou.core.search import SearchableModel


class Grade(TenantModel):
    """A company's own customer grade (VIP/A/B/C …) with the rule that earns it (M2)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=10, help_text=_("1 is the best grade; grades are checked best first.")
    )
    min_spend = models.DecimalField(
        _("minimum spend"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    min_orders = models.PositiveIntegerField(_("minimum orders"), null=True, blank=True)
    period_days = models.PositiveIntegerField(_("period (days)"), default=365)
    color = models.CharField(_("colour"), max_length=20, blank=True)

    class Meta:
        ordering = ["rank", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                condition=models.Q(deleted_at__isnull=True),
                name="grade_code_unique",
            )
        ]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return self.name or self.code


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("colour"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="tag_name_unique",
            )
        ]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


#: Carried by the customer list's sort indexes (`Customer.Meta.indexes`): the filters most used
#: with another sort, tested on the index entries while the sort's index is walked.
LIST_FILTER_COLUMNS = ["stage", "kind", "owner", "team", "grade", "province"]


class Customer(SearchableModel, TenantModel):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    class Stage(models.TextChoices):
        LEAD = "lead", _("Lead")
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        INACTIVE = "inactive", _("Inactive")

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        WEBSITE = "website", _("Website")
        REFERRAL = "referral", _("Referral")
        EXHIBITION = "exhibition", _("Trade show")
        COLD_CALL = "cold_call", _("Cold call")
        ADVERTISING = "advertising", _("Advertising")
        IMPORT = "import", _("Import")
        OTHER = "other", _("Other")

    class Credit(models.TextChoices):
        AAA = "AAA", "AAA"
        AA = "AA", "AA"
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    code = models.CharField(_("customer number"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.LEAD)
    is_customer = models.BooleanField(_("customer role"), default=True)
    is_supplier = models.BooleanField(_("supplier role"), default=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    grade = models.ForeignKey(
        Grade,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("grade"),
    )
    grade_locked = models.BooleanField(
        _("grade set by hand"),
        default=False,
        help_text=_("A grade set by hand is kept when grades are recomputed."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("tags"))
    credit_rating = models.CharField(
        _("credit rating"), max_length=3, choices=Credit.choices, blank=True
    )
    credit_locked = models.BooleanField(_("credit rating set by hand"), default=False)
    is_blacklisted = models.BooleanField(_("blacklisted"), default=False)
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=300, blank=True)
    consent_email = models.BooleanField(_("accepts email"), default=True)
    consent_sms = models.BooleanField(_("accepts SMS"), default=True)
    consent_im = models.BooleanField(_("accepts IM messages"), default=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted to customer"), null=True, blank=True)
    # Duplicate keys (C8): normalised phone, lower-cased email, name without company suffix.
    dedup_phone = models.CharField(max_length=20, blank=True, editable=False)
    dedup_email = models.CharField(max_length=254, blank=True, editable=False)
    dedup_name = models.CharField(max_length=200, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # The member company this record stands for, when it is on the platform (C1, M5).
    platform_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("platform member"),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The list's sorts, of live rows only (both directions: an index is read backwards
            # too). Each carries the columns the list filters on most, so that a filtered page
            # is found by walking the sort's index alone — page 500 of "people, newest first"
            # read 27,770 index entries in 8 ms instead of visiting as many rows (38 ms). They
            # follow the unique (…, id) as key columns, not as PostgreSQL's INCLUDE, so SQLite
            # has them too (it ignores INCLUDE); they change no order, and PostgreSQL truncates
            # them from the tree's inner pages all the same.
            *[
                models.Index(
                    fields=[*fields, *LIST_FILTER_COLUMNS],
                    name=name,
                    condition=models.Q(deleted_at__isnull=True),
                )
                for name, fields in (
                    ("customer_recent", ["company", "-updated_at", "-id"]),
                    ("customer_created", ["company", "created_at", "id"]),
                    ("customer_contacted", ["company", "last_contacted_at", "id"]),
                    ("customer_name", ["company", "name", "id"]),
                )
            ],
            # The blacklist filter, which would otherwise read every live customer
            models.Index(
                fields=["company", "-updated_at"],
                name="customer_blacklisted",
                condition=models.Q(is_blacklisted=True, deleted_at__isnull=True),
            ),
            # The suppliers (procurement): a few of a company's customers, found without reading
            # the others
            models.Index(
                fields=["company", "name"],
                name="customer_supplier",
                condition=models.Q(is_supplier=True, deleted_at__isnull=True),
            ),
            # The list's filters, of live rows only: a filtered list's bounded count (up to
            # 10,001) is an index-only scan instead of a visit to each row, and in the default
            # order (newest first) any of its pages is a range of the index
            *[
                models.Index(fields=fields, name=name, condition=models.Q(deleted_at__isnull=True))
                for name, fields in (
                    ("customer_owner", ["company", "owner", "-updated_at", "-id"]),
                    ("customer_team", ["company", "team", "-updated_at", "-id"]),
                    ("customer_stage", ["company", "stage", "-updated_at", "-id"]),
                    ("customer_kind", ["company", "kind", "-updated_at", "-id"]),
                    ("customer_grade", ["company", "grade", "-updated_at", "-id"]),
                    ("customer_region", ["company", "province", "city"]),
                    ("customer_followup", ["company", "owner", "last_contacted_at"]),
                )
            ],
            models.Index(fields=["company", "dedup_phone"], name="customer_dedup_phone"),
            models.Index(fields=["company", "dedup_email"], name="customer_dedup_email"),
            models.Index(fields=["company", "dedup_name"], name="customer_dedup_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                condition=models.Q(deleted_at__isnull=True) & ~models.Q(code=""),
                name="customer_code_unique",
            )
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def search_parts(self):
        return {
            "names": [self.name],
            "phones": [self.phone],
            "emails": [self.email],
            "extra": [self.code],
        }

    def refresh_search(self) -> None:
        """Derived columns: search text and the duplicate-detection keys."""
        from .dedup import dedup_keys

        super().refresh_search()
        keys = dedup_keys(name=self.name, phone=self.phone, email=self.email)
        self.dedup_name, self.dedup_phone, self.dedup_email = keys


class Contact(SearchableModel, TenantModel):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    qq = models.CharField("QQ", max_length=20, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        indexes = [
            models.Index(fields=["company", "customer"], name="contact_customer"),
            models.Index(fields=["company", "name"], name="contact_name"),
            # The contact list's order: a page of a company's contacts without sorting them all
            models.Index(
                fields=["company", "-is_primary", "name", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="contact_list_order",
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def search_parts(self):
        return {
            "names": [self.name],
            "phones": [self.phone, self.mobile],
            "emails": [self.email],
            "extra": [self.wechat, self.qq],
        }


class CustomField(TenantModel):
    """A typed field a company adds to its customers; values live in Customer.custom_fields."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=60)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key"],
                condition=models.Q(deleted_at__isnull=True),
                name="custom_field_key_unique",
            )
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class Segment(TenantModel):
    """A saved filter over customers (C3); marketing sends to segments."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    filters = models.JSONField(_("filters"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_shared = models.BooleanField(_("shared with colleagues"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class TimelineEntry(TenantModel):
    """One thing that happened with a customer (C4): one table, one query, one timeline."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        EMAIL_OUT = "email_out", _("Email sent")
        EMAIL_IN = "email_in", _("Email received")
        MESSAGE = "message", _("Platform message")
        TASK = "task", _("Task")
        DOCUMENT = "document", _("Document")
        OPPORTUNITY = "opportunity", _("Opportunity")
        QUOTATION = "quotation", _("Quotation")
        ORDER = "order", _("Order")
        SHIPMENT = "shipment", _("Shipment")
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment")
        CASE = "case", _("Service case")
        CAMPAIGN = "campaign", _("Campaign message")
        SYSTEM = "system", _("System")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="timeline")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTE)
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    # What the entry is about when it mirrors another record (a task, an order, …).
    related_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    related_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["company", "customer", "-occurred_at", "-id"], name="timeline_customer"
            ),
            models.Index(
                fields=["company", "customer", "kind", "-occurred_at"],
                name="timeline_customer_kind",
            ),
        ]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class Task(TenantModel):
    """A follow-up with a due time (C5); the worker reminds the assignee when it is due."""

    class Kind(models.TextChoices):
        TODO = "todo", _("To do")
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TODO)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=30)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["company", "assignee", "done_at", "due_at"], name="task_assignee"),
            models.Index(fields=["company", "customer", "due_at"], name="task_customer"),
            models.Index(fields=["remind_at", "reminded_at"], name="task_reminder"),
            # The task list's order and the calendar's date ranges
            models.Index(
                fields=["company", "due_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="task_due",
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance, filename: str) -> str:
    return f"documents/{instance.company_id}/{secrets.token_hex(8)}/{filename}"


class Document(TenantModel):
    """A file attached to a customer (C6); stored through Django's storage API."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("customer")
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    mime_type = models.CharField(_("type"), max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "customer", "-created_at"], name="document_customer")
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


class CustomerMerge(TenantModel):
    """A merge of `merged` into `survivor`, with what is needed to undo it (C8)."""

    survivor = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    survivor_before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)  # {"contacts": [ids], "timeline": [ids], …}
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="merge_recent")]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class ImportJob(TenantModel):
    """A two-phase import: uploaded → previewed → committed in the background (C1)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # errors, duplicates, unmapped …
    options = models.JSONField(default=dict, blank=True)  # skip_invalid, decisions
    result = models.JSONField(default=dict, blank=True)
    progress = models.ForeignKey(
        "core.TaskProgress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="import_recent")]

    def __str__(self) -> str:
        return self.filename


class CalendarFeed(BaseModel):
    """The secret address of a user's iCalendar feed of tasks (C5, I5)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="calendar_feed_unique")
        ]

    def __str__(self) -> str:
        return f"feed {self.user_id}@{self.company_id}"
