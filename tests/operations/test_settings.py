"""Deployment settings and the append-only audit trail."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from operations.audit import audit_record
from operations.models import AuditEntry, Resource

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEPLOY_CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def run_check(**env):
    return subprocess.run(
        DEPLOY_CHECK,
        cwd=PROJECT_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_environment():
    secret_key = secrets.token_urlsafe(60)[:60]

    result = run_check(DEBUG="0", SECRET_KEY=secret_key, ALLOWED_HOSTS="example.org")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.fixture
def audit_entry(db):
    resource = Resource.objects.create(code="OSU", name="OSU", kind=Resource.Kind.OSU)
    return audit_record(actor=None, action=AuditEntry.Action.CREATE, obj=resource, reason="first")


def test_an_existing_audit_entry_cannot_be_saved_again(audit_entry):
    audit_entry.reason = "rewritten"

    with pytest.raises(PermissionError, match="append-only"):
        audit_entry.save()

    assert AuditEntry.objects.get(pk=audit_entry.pk).reason == "first"


def test_an_audit_entry_cannot_be_deleted(audit_entry):
    with pytest.raises(PermissionError, match="append-only"):
        audit_entry.delete()

    assert AuditEntry.objects.filter(pk=audit_entry.pk).exists()


def test_audit_entries_cannot_be_updated_in_bulk(audit_entry):
    with pytest.raises(PermissionError, match="append-only"):
        AuditEntry.objects.filter(pk=audit_entry.pk).update(reason="rewritten")

    assert AuditEntry.objects.get(pk=audit_entry.pk).reason == "first"


def test_audit_entries_cannot_be_deleted_in_bulk(audit_entry):
    with pytest.raises(PermissionError, match="append-only"):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.filter(pk=audit_entry.pk).exists()
