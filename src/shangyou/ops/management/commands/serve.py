import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def start_processes(*, host: str, port: int, workers: int, with_worker: bool, stdout) -> int:
    """Run gunicorn and (optionally) the task worker side by side until one exits or we're
    signalled; then stop both. Returns the exit status."""
    env = os.environ.copy()
    env.setdefault("DJANGO_SETTINGS_MODULE", "shangyou.config.settings")
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "shangyou.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--keep-alive",  # clients that reuse a connection after 2 s were reset under load
        "5",
    ]
    children = [subprocess.Popen(web, env=env)]
    if with_worker and settings.TASKS_BACKEND_NAME != "immediate":
        children.append(subprocess.Popen([sys.executable, "-m", "shangyou", "worker"], env=env))

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    try:
        while not stopping:
            for child in children:
                code = child.poll()
                if code is not None:
                    stdout.write(f"process {child.args[2]} exited with {code}; stopping\n")
                    status = code or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return status


class Command(BaseCommand):
    help = "Serve Shangyou: gunicorn web server plus the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SHANGYOU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="Web server only.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        status = start_processes(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            with_worker=not options["no_worker"],
            stdout=self.stdout,
        )
        if status:
            sys.exit(status)
