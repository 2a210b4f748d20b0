"""Demo accounts for the local run (idempotent: running it again resets their passwords)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User

DEMO_ACCOUNTS = [
    # phone, password, role, superuser
    ("13800000000", "kepuri-admin-2020", "管理员（后台 /admin/）", True),
    ("13800000001", "kepuri-demo-2020", "填报用户（活动举办单位）", False),
    ("13800000002", "kepuri-demo-2020", "普通用户（公众）", False),
]


class Command(BaseCommand):
    help = "Create or reset the demo accounts and print them."

    def handle(self, *args, **options):
        for phone, password, _role, superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(phone=phone, defaults={"terms_accepted_at": timezone.now()})
            user.is_staff = user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
        self.stdout.write("Demo accounts (phone / password):")
        for phone, password, role, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {phone} / {password}  {role}")
