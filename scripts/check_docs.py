"""Check that the docs keep up with the code (run by .ci/run):

* every environment variable the code reads (settings, serve/up commands) is listed in
  `.env.example` and in the README's configuration table;
* the README's Quick start holds exactly two commands in one code block, and the second one ends
  with the very test command CI runs (`TEST_CMD` in .ci/run).

    python scripts/check_docs.py
"""

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "src/shangyou/config/settings.py",
    *sorted((ROOT / "src/shangyou").glob("*/management/commands/*.py")),
]
READ_RE = re.compile(
    r"""(?:\benv(?:_bool|_list)?|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Read by the code but not settings of the product.
IGNORED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "CI"}


def env_names() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SOURCES:
        for name in READ_RE.findall(path.read_text(encoding="utf-8")):
            if name not in IGNORED:
                found.setdefault(name, path)
    return found


def quick_start(readme: str) -> list[str]:
    section = re.search(r"^## Quick start\b.*?(?=^## |\Z)", readme, re.M | re.S)
    if not section:
        raise SystemExit("README.md has no '## Quick start' section")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section.group(0), re.M | re.S)
    if len(blocks) != 1:
        raise SystemExit(f"README Quick start must have one code block, found {len(blocks)}")
    return [line.strip() for line in blocks[0].splitlines() if line.strip()]


def ci_test_command() -> str:
    match = re.search(r"^TEST_CMD=\((.*)\)\s*$", (ROOT / ".ci/run").read_text(), re.M)
    if not match:
        raise SystemExit(".ci/run defines no TEST_CMD=(…)")
    return " ".join(shlex.split(match.group(1)))


def main() -> int:
    problems = []
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = env_names()
    for name, path in sorted(names.items()):
        where = path.relative_to(ROOT)
        if not re.search(rf"^#?\s*{name}=", example, re.M):
            problems.append(f".env.example does not list {name} (read in {where})")
        if f"`{name}`" not in readme:
            problems.append(f"README.md's configuration does not list `{name}` (read in {where})")

    lines = quick_start(readme)
    test_cmd = ci_test_command()
    if len(lines) != 2:
        problems.append(f"README Quick start must hold exactly two commands, found {len(lines)}")
    elif not (lines[1] == test_cmd or lines[1].endswith(f"&& {test_cmd}")):
        problems.append(
            f"README Quick start's second command {lines[1]!r} does not run CI's {test_cmd!r}"
        )

    for problem in problems:
        print(f"  - {problem}")
    if problems:
        return 1
    print(f"{len(names)} settings documented; Quick start runs {test_cmd!r} like CI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
