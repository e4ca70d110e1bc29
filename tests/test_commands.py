"""Set-up commands: the local admin user and the curation groups."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_create_local_admin_prints_a_random_password_once():
    out = StringIO()
    call_command("create_local_admin", stdout=out)
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    assert len(password) >= 20
    assert get_user_model().objects.get(username="admin").check_password(password)

    again = StringIO()
    call_command("create_local_admin", stdout=again)
    assert "already exists" in again.getvalue()
    assert password not in again.getvalue()


def test_two_local_admins_get_different_passwords():
    passwords = []
    for name in ("a1", "a2"):
        out = StringIO()
        call_command("create_local_admin", username=name, stdout=out)
        passwords.append(re.search(r"password: (\S+)", out.getvalue()).group(1))
    assert passwords[0] != passwords[1]


def test_editors_can_change_data_but_not_users_and_viewers_can_only_look():
    call_command("create_groups", stdout=StringIO())
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    viewer = set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True))
    assert {"add_transfer", "change_transfer", "delete_claim", "review_transfer"} <= editor
    assert not {"change_user", "add_user", "change_group"} & editor
    assert {"view_transfer", "view_claim", "view_source"} <= viewer
    assert all(code.startswith("view_") for code in viewer)
