"""The shared test world.

Who is who:
- ``anonymous``: may read everything, write nothing.
- ``viewer``: a logged-in member of the 'viewer' group; may view every record, change none.
- ``editor``: a member of the 'editor' group; may add, change, delete and review arms-transfer
  records, but not users or groups.
- ``admin_user`` (pytest-django's): a superuser.
"""

import pytest
from django.contrib.auth.models import Group

from transfers.groups import EDITOR, VIEWER, ensure_groups


@pytest.fixture
def groups(db):
    ensure_groups()
    return {name: Group.objects.get(name=name) for name in (EDITOR, VIEWER)}


@pytest.fixture
def editor(django_user_model, groups):
    user = django_user_model.objects.create_user("editor", password="editor-pass-123", is_staff=True)
    user.groups.add(groups[EDITOR])
    return user


@pytest.fixture
def second_editor(django_user_model, groups):
    user = django_user_model.objects.create_user("editor2", password="editor-pass-456", is_staff=True)
    user.groups.add(groups[EDITOR])
    return user


@pytest.fixture
def viewer(django_user_model, groups):
    user = django_user_model.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    user.groups.add(groups[VIEWER])
    return user
