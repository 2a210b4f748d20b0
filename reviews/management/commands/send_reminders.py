"""Run a day's reminders now, or list who would be told (--dry-run).

Lives here because it spans the organisers' reminders (activities) and the
reviewers' digests (reviews), and this app sits above both.
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from activities import reminders
from kepuri.logs import mask_phone
from reviews import services

CHOICES = [*reminders.KINDS, "review_digest"]


class Command(BaseCommand):
    help = "Queue (and deliver) the deadline reminders and reviewers' digests of a day."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=CHOICES, action="append", help="only these kinds (repeatable)")
        parser.add_argument("--date", type=date.fromisoformat, help="the day to run for (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="list who would be told; queue nothing")

    def handle(self, kind, date, dry_run, **options):
        today = date or timezone.localdate()
        kinds = kind or CHOICES
        if dry_run:
            for name in kinds:
                found = list(
                    services.digest_notices(today)
                    if name == "review_digest"
                    else reminders.notices(reminders.KINDS[name], today)
                )
                phones = dict(
                    User.objects.filter(pk__in={n.recipient_id for n in found}).values_list("pk", "phone")
                )
                self.stdout.write(f"{name}: {len(found)} to tell on {today}")
                for notice in found:
                    phone = mask_phone(phones[notice.recipient_id])  # output that may end up in a log
                    self.stdout.write(f"  {phone}  {notice.title}  {notice.body}")
            return
        organisers = [name for name in kinds if name in reminders.KINDS]
        counts = reminders.queue_reminders(today, kinds=organisers) if organisers else {}
        if "review_digest" in kinds:
            counts["review_digest"] = services.send_review_digests(today)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} queued for {today}")
