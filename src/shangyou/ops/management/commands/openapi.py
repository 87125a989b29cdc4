import json
import sys

from django.core.management.base import BaseCommand


def openapi_json() -> str:
    """The API's OpenAPI schema as committed in docs/openapi.json (stable key order)."""
    from shangyou.config.api import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ or write it: `openapi -o docs/openapi.json`."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", default="", help="Write to this file (default: stdout)."
        )

    def handle(self, *args, **options):
        text = openapi_json()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"wrote {options['output']}")
        else:
            sys.stdout.write(text)
