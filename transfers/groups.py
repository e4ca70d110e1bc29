"""The curation roles, as Django groups.

- editor: can view, add, change and delete every arms-transfer record and mark transfers reviewed,
  but cannot touch users or groups.
- viewer: can only look.

Kept in step on every ``migrate`` (post_migrate) and on demand with ``manage.py create_groups``.
"""

from django.contrib.auth.models import Group, Permission

EDITOR = "editor"
VIEWER = "viewer"


def ensure_groups(**kwargs) -> dict[str, int]:
    """Create or update both groups; returns how many permissions each holds."""
    app_perms = Permission.objects.filter(content_type__app_label="transfers")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    editor.permissions.set(app_perms)
    viewer.permissions.set(app_perms.filter(codename__startswith="view_"))
    return {EDITOR: editor.permissions.count(), VIEWER: viewer.permissions.count()}
