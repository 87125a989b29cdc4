from django.core.management.base import BaseCommand, CommandError

from shangyou.accounts import services
from shangyou.accounts.models import Company
from shangyou.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Manage companies: `company create --name N --slug S --owner-email E --password P`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a company and its owner.")
        create.add_argument("--name", required=True)
        create.add_argument("--slug", default="")
        create.add_argument("--owner-email", required=True)
        create.add_argument("--password", default=None, help="Needed when the owner is new.")
        create.add_argument("--owner-name", default="")
        create.add_argument(
            "--member-type", choices=Company.MemberType.values, default=Company.MemberType.BOTH
        )

        verify = sub.add_parser("verify", help="Give (or withdraw) the platform's verified badge.")
        verify.add_argument("--slug", required=True)
        verify.add_argument("--revoke", action="store_true")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            from shangyou.network.services import company_verify

            company = Company.objects.filter(slug=options["slug"]).first()
            if company is None:
                raise CommandError(f"no company with slug {options['slug']}")
            company_verify(staff_user=None, company=company, verified=not options["revoke"])
            state = "verified" if company.is_verified else "not verified"
            self.stdout.write(f"{company.slug} is {state}")
            return
        try:
            company = services.company_create(
                name=options["name"],
                slug=options["slug"],
                owner_email=options["owner_email"],
                owner_password=options["password"],
                owner_name=options["owner_name"],
                member_type=options["member_type"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"created company {company.slug} (id {company.pk})")
