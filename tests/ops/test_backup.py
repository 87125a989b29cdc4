"""`shangyou backup` / `shangyou restore` round trips, run as the operator would: subprocesses on
a scratch database of the suite's kind (a SQLite file, or a PostgreSQL database `sy_bk_*`)."""

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from shangyou.ops import backup

from .scratch import app_env, cli, shell_json

pytestmark = pytest.mark.ops

POPULATE = """
from django.core.mail import send_mail
from shangyou.accounts.models import Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.accounts.services import company_create
from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_create, customer_delete

for slug, name in [("bk1", "华东精密机械有限公司"), ("bk2", "Acme Trading Co., Ltd.")]:
    company = company_create(name=name, slug=slug, owner_email=f"owner@{slug}.test",
                             owner_password="Correct-Horse-9", owner_name="王建国")
    actor = actor_from_membership(Membership.objects.get(company=company))
    for i, (n, phone) in enumerate([("张伟", "+86 138 0013 8000"), ("李娜", "13912345678"),
                                    ("Global Parts GmbH", "+49 30 1234567"), ("王芳", "")]):
        customer_create(actor=actor, data={"name": f"{n}{i}", "phone": phone})
    customer_delete(actor=actor, customer=Customer.objects.filter(company=company).first())
send_mail("备份测试", "正文", None, ["a@example.com"])
assert Customer.all_objects.count() == 8
"""

FINGERPRINT = (
    "import json; from shangyou.ops.backup import table_fingerprints; "
    "print('JSON=' + json.dumps(table_fingerprints()))"
)


def _write_media(media: Path) -> dict[str, str]:
    files = {
        "documents/2026/11/合同 v2.pdf": os.urandom(300_000),
        "avatars/user-1.png": os.urandom(20_000),
        "imports/客户名单.csv": "名称,电话\n张伟,13800138000\n".encode(),
        "empty.txt": b"",
        "a/b/c/d/deep.bin": os.urandom(1000),
    }
    for name, content in files.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
    return {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}


def _media_digests(media: Path) -> dict[str, str]:
    return {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


def _site(scratch, ops_dir, name: str, *, migrated: bool = True):
    db = scratch("sy_bk", migrated=migrated)
    data = ops_dir / name
    data.mkdir()
    return db, data, app_env(db, data)


def test_backup_and_restore_round_trip_every_table_and_file(scratch, ops_dir):
    db, data, env = _site(scratch, ops_dir, "origin")
    originals = _write_media(data / "media")
    before = shell_json(env, POPULATE + "\n" + FINGERPRINT)
    assert (
        before["accounts_company" if db.vendor == "sqlite" else "public.accounts_company"]["rows"]
        == 2
    )

    archive = ops_dir / "site.tar.gz"
    done = cli(env, "backup", str(archive))
    assert "Backed up" in done.stdout

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["format"] == "shangyou-backup"
    assert manifest["database"]["vendor"] == db.vendor
    assert manifest["app"]["version"]
    assert manifest["created_at"]
    assert "0001_initial" in manifest["migrations"]["contacts"]
    assert {f"media/{name}" for name in originals} <= set(manifest["members"])
    assert set(names) == set(manifest["members"]) | {"manifest.json"}
    for name, digest in originals.items():
        assert manifest["members"][f"media/{name}"]["sha256"] == digest
    assert manifest["database"]["tables"] == {t: v["rows"] for t, v in before.items()}

    # Restore into an empty database and an empty media directory elsewhere.
    target, target_data, target_env = _site(scratch, ops_dir, "restored", migrated=False)
    done = cli(target_env, "restore", str(archive))
    assert "verified" in done.stdout
    assert shell_json(target_env, FINGERPRINT) == before
    assert _media_digests(target_data / "media") == originals

    # Again: refused without --force, replaces everything with it.
    (target_data / "media" / "stray.txt").write_text("not in the backup")
    cli(
        target_env,
        "shell",
        "-c",
        "from shangyou.accounts.models import Company; "
        "Company.objects.filter(slug='bk2').update(name='changed')",
    )
    refused = cli(target_env, "restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    done = cli(target_env, "restore", "--force", str(archive))
    assert "kept in" in done.stdout
    assert shell_json(target_env, FINGERPRINT) == before
    assert _media_digests(target_data / "media") == originals


def _rewrite(archive: Path, target: Path, change, *, skip: str = "", add=None) -> None:
    """Copy `archive` to `target`, passing each member's bytes through `change(name, data)`."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        members = [
            (m.name, source.extractfile(m).read()) for m in source if m.name != skip and m.isfile()
        ]
        for name, data in [*members, *(add or {}).items()]:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_restore_refuses_a_damaged_archive_before_touching_anything(scratch, ops_dir):
    db, data, env = _site(scratch, ops_dir, "origin")
    (data / "media").mkdir()
    (data / "media" / "报价单.pdf").write_bytes(os.urandom(50_000))
    archive = ops_dir / "good.tar.gz"
    cli(env, "backup", str(archive))
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.create_backup(archive)  # refused before anything is read

    raw = archive.read_bytes()
    middle = len(raw) // 2
    (ops_dir / "flipped.tar.gz").write_bytes(
        raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :]
    )
    (ops_dir / "truncated.tar.gz").write_bytes(raw[: len(raw) * 2 // 3])
    _rewrite(
        archive,
        ops_dir / "tampered.tar.gz",
        lambda name, data: bytes([data[0] ^ 1]) + data[1:] if name.endswith(".pdf") else data,
    )
    _rewrite(archive, ops_dir / "no-manifest.tar.gz", lambda name, data: data, skip="manifest.json")
    _rewrite(
        archive,
        ops_dir / "extra.tar.gz",
        lambda name, data: data,
        add={"media/../../etc/evil": b"x"},
    )
    expected = {
        "flipped": "",  # gzip's CRC or our checksum, whichever is read first
        "truncated": "the archive cannot be read",
        "tampered": "the checksum of media/报价单.pdf does not match the manifest",
        "no-manifest": "it has no manifest",
        "extra": "unexpected member 'media/../../etc/evil'",
    }
    for name, message in expected.items():
        staging = ops_dir / f"staging-{name}"
        staging.mkdir()
        with pytest.raises(backup.BackupError, match="not a usable Shangyou backup") as exc:
            backup.verify_archive(ops_dir / f"{name}.tar.gz", staging)
        assert message in str(exc.value), name
        assert "Nothing was changed" in str(exc.value)
    assert not (ops_dir / "etc").exists()

    # Through the command: refused, and the empty target database and media stay untouched.
    target, target_data, target_env = _site(scratch, ops_dir, "target", migrated=False)
    result = cli(target_env, "restore", "--force", str(ops_dir / "tampered.tar.gz"), check=False)
    assert result.returncode != 0
    assert "does not match the manifest" in result.stderr
    assert "Traceback" not in result.stderr
    assert shell_json(target_env, FINGERPRINT) == {}
    assert not (target_data / "media").exists()
    # …and the good archive restores there.
    cli(target_env, "restore", str(archive))
    assert (target_data / "media" / "报价单.pdf").read_bytes() == (
        data / "media" / "报价单.pdf"
    ).read_bytes()


def test_a_damaged_deflate_stream_is_refused_as_unreadable(tmp_path):
    """A flipped byte in the compressed data can make zlib fail mid-member (`zlib.error`,
    neither an OSError nor a ValueError): refused like any unreadable archive."""
    import zlib

    rows = [{"id": i, "name": f"客户{i}", "city": "苏州"} for i in range(3000)]
    data = json.dumps(rows, ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("manifest.json", "database/data.json"):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()

    def fails_in_zlib(damaged: bytes) -> bool:
        try:
            with tarfile.open(fileobj=io.BytesIO(damaged), mode="r:gz") as tar:
                for member in tar:
                    tar.extractfile(member).read()
        except zlib.error:
            return True
        except Exception:  # noqa: BLE001 - any other failure is not the case under test
            return False
        return False

    half = len(raw) // 2
    flips = (raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1 :] for i in range(half, len(raw)))
    damaged = next(d for d in flips if fails_in_zlib(d))
    archive = tmp_path / "damaged.tar.gz"
    archive.write_bytes(damaged)
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(backup.BackupError, match="the archive cannot be read"):
        backup.verify_archive(archive, staging)
