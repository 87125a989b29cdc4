"""The `shangyou` console script: every Django management command plus our own.

`shangyou up`, `shangyou serve`, `shangyou worker`, `shangyou demo`, `shangyou company create`,
`shangyou token create`, `shangyou bench` … are management commands in the apps; this entry point
only points Django at our settings.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangyou.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shangyou", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
