"""Signing fixtures: a real demo CA (made once per test session in a temporary directory), settings pointing
at it, and a small Chinese PDF made with WeasyPrint and signed with it, so report tests sign and verify
exactly as the demo does."""
import pytest
from django.test import override_settings

from reports.management.commands.create_demo_signing_ca import DemoSigningFiles, create_demo_signing_files

DEMO_SIGNING_PASSWORD = "test-signing-password"
SIGNING_UNIT = "新平县脱贫攻坚领导小组办公室"
SAMPLE_VERIFY_URL = "https://fupin.example.org/reports/verify/6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f/"


def signing_settings(files: DemoSigningFiles) -> dict:
    return {
        "REPORT_SIGNING_DIR": files.directory,
        "REPORT_SIGNING_PKCS12_PATH": str(files.pkcs12),
        "REPORT_SIGNING_PKCS12_PASSWORD": DEMO_SIGNING_PASSWORD,
        "REPORT_SIGNING_TRUST_ROOTS": [str(files.ca_pem)],
        "REPORT_SIGNING_UNIT": SIGNING_UNIT,
    }


@pytest.fixture(scope="session")
def demo_signing_files(tmp_path_factory) -> DemoSigningFiles:
    return create_demo_signing_files(tmp_path_factory.mktemp("signing"), DEMO_SIGNING_PASSWORD)


@pytest.fixture
def demo_signing_ca(settings, demo_signing_files) -> DemoSigningFiles:
    """The demo CA and signing certificate, configured as the organisation's certificate for this test."""
    for name, value in signing_settings(demo_signing_files).items():
        setattr(settings, name, value)
    return demo_signing_files


@pytest.fixture(scope="session")
def sample_report_pdf() -> bytes:
    """A two-page Chinese PDF standing in for a rendered quarterly report (the stamp goes on the last page)."""
    from weasyprint import HTML

    html = """<html><head><style>@page { size: A4; margin: 20mm } body { font-family: 'Noto Sans CJK SC' }
    h1 { page-break-after: always }</style></head><body>
    <h1>新平彝族傣族自治县2026年第3季度脱贫攻坚进展报告</h1>
    <p>截至2026年9月30日，全县建档立卡贫困户 1,234 户 5,678 人，已脱贫 1,000 户。</p></body></html>"""
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def signed_sample(demo_signing_files, sample_report_pdf):
    """``sample_report_pdf`` signed once per session with the demo certificate (a ``SignedPdf``)."""
    from reports.signing import sign_pdf

    with override_settings(**signing_settings(demo_signing_files)):
        return sign_pdf(sample_report_pdf, signer_name="李明", signer_unit=SIGNING_UNIT,
                        reason="季度进展报告签发", verify_url=SAMPLE_VERIFY_URL)


@pytest.fixture
def report_reviewer(areas):
    """A second leading-group officer: the reviewer must not be the person who generated the report."""
    from accounts.services import post_assign, user_create
    from conftest import COUNTY, PASSWORD
    from povalleviation.roles import Role
    from villages.models import Area

    user = user_create(actor=None, username="office_reviewer", password=PASSWORD, full_name="王审核")
    post_assign(actor=None, user=user, area=Area.objects.get(code=COUNTY), role=Role.LEADING_GROUP_OFFICE)
    return user


@pytest.fixture
def report_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_reviewed_report(*, generator, reviewer, area, year=2026, quarter=2):
    """A report generated and reviewed through the workflow services (generation runs in-process)."""
    from reports.generation import report_build
    from reports.services import report_generate, report_review

    report = report_generate(actor=generator, area=area, year=year, quarter=quarter)
    report_build(report.pk)
    report.refresh_from_db()
    return report_review(actor=reviewer, report=report, note="数据核对无误")


@pytest.fixture
def signed_report(demo_signing_ca, report_media, areas, leading_group_staff, report_reviewer):
    """The county's 2026 Q2 report, generated, reviewed and signed with the demo certificate."""
    from conftest import COUNTY
    from reports.services import report_sign

    report = make_reviewed_report(generator=leading_group_staff, reviewer=report_reviewer, area=areas[COUNTY])
    return report_sign(actor=leading_group_staff, report=report)


@pytest.fixture
def stored_signed_report(demo_signing_ca, report_media, areas, leading_group_staff, signed_sample):
    """A signed report row holding ``signed_sample``, stored directly rather than through the workflow: the
    workflow renders the full report twice (about 15 s); ``signed_report`` covers that path end to end."""
    import datetime

    from django.core.files.base import ContentFile

    from conftest import COUNTY
    from reports.models import QuarterlyReport, ReportStatus

    report = QuarterlyReport(
        area=areas[COUNTY], area_code=COUNTY, year=2026, quarter=1, as_of=datetime.date(2026, 3, 31),
        status=ReportStatus.SIGNED, generated_by=leading_group_staff, signed_by=leading_group_staff,
        signed_at=signed_sample.signed_at, signer_name="李明", signer_unit=SIGNING_UNIT,
        certificate_subject=signed_sample.certificate_subject, signed_sha256=signed_sample.sha256,
    )
    report.signed_pdf.save("530427000000-2026Q1-v1-signed.pdf", ContentFile(signed_sample.data), save=False)
    report.save()
    return report
