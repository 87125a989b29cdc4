from django.core.management.base import BaseCommand, CommandError

from shangyou.accounts import services
from shangyou.accounts.models import Company, User
from shangyou.core.errors import ApplicationError


class Command(BaseCommand):
    help = "API tokens: `token create --email E [--company SLUG]` prints the token last."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user.")
        create.add_argument("--email", required=True)
        create.add_argument("--company", default="", help="Company slug (default: the user's).")
        create.add_argument("--name", default="cli")

    def handle(self, *args, **options):
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"no user with email {options['email']}")
        company = None
        if options["company"]:
            company = Company.objects.filter(slug=options["company"]).first()
            if company is None:
                raise CommandError(f"no company with slug {options['company']}")
        try:
            token, raw = services.token_create(user=user, company=company, name=options["name"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"token for {user.email} in {token.company.slug}:")
        self.stdout.write(raw)
