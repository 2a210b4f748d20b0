"""Demo data for the local run (idempotent: running it again resets it to the same state).

- three accounts (admin, organiser, member of the public), printed at the end;
- a campaign whose windows are open today, copying the 2020 categories;
- a few national societies, marked as demo (no verified list is at hand);
- the organiser's 单位信息 and three activities: approved, waiting, draft.
"""

import io
import uuid
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from activities import qr, services, transitions
from activities.forms import POSTER_MAX_BYTES, POSTER_RENDITIONS
from activities.models import Activity, Campaign
from activities.reports import Report
from directory import services as directory_services
from directory.models import Region, SupervisingUnit
from kepuri.uploads import process_image
from organizations.services import save_organization
from reviews.models import ReviewerRole

DEMO_ACCOUNTS = [
    # phone, password, role, superuser
    ("13800000000", "kepuri-admin-2020", "管理员（后台 /admin/）", True),
    ("13800000001", "kepuri-demo-2020", "填报用户（活动举办单位）", False),
    ("13800000002", "kepuri-demo-2020", "普通用户（公众）", False),
    ("13800000003", "kepuri-demo-2020", "审核员（青海省科协）", False),
    ("13800000004", "kepuri-demo-2020", "审核员（西宁市科协）", False),
]
DEMO_REVIEWERS = {"13800000003": "青海省科协", "13800000004": "西宁市科协"}
DEMO_SOCIETIES = [
    ("（演示）中国青少年科技示范学会", "演示青少年学会"),
    ("（演示）中国节水科普示范学会", "演示节水学会"),
    ("（演示）中国健康科普示范学会", "演示健康学会"),
]


class Command(BaseCommand):
    help = "Create or reset the demo data and print the demo accounts."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {
            phone: self.account(phone, password, superuser) for phone, password, _, superuser in DEMO_ACCOUNTS
        }
        campaign = self.campaign()
        root = SupervisingUnit.objects.get(kind=SupervisingUnit.Kind.CAST)
        for name, short_name in DEMO_SOCIETIES:
            unit = SupervisingUnit.objects.filter(name=name).first() or SupervisingUnit(name=name)
            unit.short_name, unit.kind, unit.parent, unit.is_demo = short_name, "society", root, True
            directory_services.save_unit(unit)
        for phone, short_name in DEMO_REVIEWERS.items():
            if not ReviewerRole.objects.filter(user=users[phone], revoked_at__isnull=True).exists():
                ReviewerRole.objects.create(
                    user=users[phone], unit=SupervisingUnit.objects.get(short_name=short_name)
                )
        organiser = users["13800000001"]
        save_organization(
            owner=organiser,
            name="西宁市示范科技馆（演示）",
            contact_name="王老师",
            contact_phone="0971-6123456",
            address="青海省西宁市城西区示范路1号",
            description="演示用单位：面向青少年开展科普展览和科学实验活动。",
        )

        self.activities(organiser, reviewer=users["13800000000"], campaign=campaign)

        self.stdout.write(
            f"Demo campaign: {campaign.name}, 活动填报 {campaign.report_opens} … {campaign.report_closes}"
        )
        self.stdout.write("Demo accounts (phone / password):")
        for phone, password, role, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {phone} / {password}  {role}")

    def account(self, phone, password, superuser):
        user, _ = User.objects.get_or_create(phone=phone, defaults={"terms_accepted_at": timezone.now()})
        user.is_staff = user.is_superuser = superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        return user

    def campaign(self):
        """This year's campaign, open today, with the 2020 categories and Qinghai's 2020 theme."""
        today = timezone.localdate()
        template = Campaign.objects.get(year=2020)
        campaign, _ = Campaign.objects.update_or_create(
            year=today.year,
            defaults={
                "name": f"{today.year}年全国科普日（演示）",
                "national_theme": template.national_theme,
                "label": f"{today.year}年全国科普日活动",
                "report_opens": today - timedelta(days=14),
                "report_closes": today + timedelta(days=30),
                "supplement_closes": today + timedelta(days=44),
                "summary_closes": today + timedelta(days=51),
                "is_demo": True,
            },
        )
        for category in template.categories.all():
            campaign.categories.update_or_create(
                name=category.name, defaults={"position": category.position, "is_active": True}
            )
        for theme in template.province_themes.all():
            campaign.province_themes.update_or_create(
                province=theme.province, defaults={"theme": theme.theme}
            )
        return campaign

    DEMO_ACTIVITIES = [
        # name, type, city code, category, days from today, decision
        ("青少年科学实验开放日", "offline", "630100", "校园科普", None, "approve"),  # on now
        ("节水科普进社区", "hybrid", "630100", "节水", 3, None),
        ("线上科普知识竞答", "online", "630100", "网络活动", 7, "draft"),
    ]

    def activities(self, organiser, *, reviewer, campaign):
        """Three activities of the organiser in the demo campaign (made once; kept on later runs)."""
        provincial = SupervisingUnit.objects.get(kind="provincial", region__code="630000")
        today = timezone.localdate()
        for name, kind, city, category, days, decision in self.DEMO_ACTIVITIES:
            if Activity.objects.filter(owner=organiser, name=name).exists():
                continue
            if days is None:  # running now, so that 打卡 can be tried
                start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
            else:
                start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(8, 0)))
            report = Report(
                activity_type=kind,
                name=name,
                starts_at=start,
                ends_at=start + timedelta(days=2, hours=10),
                region=Region.objects.get(code=city),
                category=campaign.categories.get(name=category),
                description=f"{name}：面向公众的演示活动，介绍科学知识并开展互动体验。",
                address="青海省西宁市城西区示范路1号" if kind != "online" else "",
                url="https://www.example.org/live" if kind != "offline" else "",
                supervisor_type="provincial",
                supervisor=provincial,
                hosts=["西宁市示范科技馆（演示）"],
                organizers=["示范社区居委会（演示）"],
            )
            activity = services.save_report(
                owner=organiser,
                report=report,
                submit=decision != "draft",
                campaign=campaign,
                token=uuid.uuid4(),
                poster=process_image(
                    self.poster(name), max_bytes=POSTER_MAX_BYTES, renditions=POSTER_RENDITIONS
                ),
            )
            if decision == "approve":
                transitions.approve(activity=activity, by=reviewer)

    @staticmethod
    def poster(title):
        image = Image.new("RGB", (1200, 750), "#0a58ca")
        draw = ImageDraw.Draw(image)
        for y in range(750):
            draw.line([(0, y), (1200, y)], fill=(10, 88 + y // 8, 202))
        if font := qr.font_file():
            path, index = font
            draw.text(
                (600, 330), title, font=ImageFont.truetype(path, 72, index=index), fill="white", anchor="mm"
            )
            draw.text(
                (600, 450),
                "全国科普日 · 演示",
                font=ImageFont.truetype(path, 40, index=index),
                fill="#dbe7ff",
                anchor="mm",
            )
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return SimpleUploadedFile(f"{title}.png", buffer.getvalue(), content_type="image/png")
