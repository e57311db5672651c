"""Data migration: the two test users."""
from django.contrib.auth.hashers import make_password
from django.db import migrations

USERS = [
    ("alice", "wonderland", "Alice"),
    ("bob", "builder", "Bob"),
]


def seed(apps, schema_editor):
    User = apps.get_model("auth", "User")
    for username, password, first_name in USERS:
        User.objects.update_or_create(
            username=username,
            defaults={
                "password": make_password(password),
                "first_name": first_name,
                "is_active": True,
            },
        )


def unseed(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.objects.filter(username__in=[u for u, _, _ in USERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
