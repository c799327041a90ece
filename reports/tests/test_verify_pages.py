"""Public verification pages (no login) and ``manage.py verify_report``.

The first test runs the whole workflow (generate → build → review → sign with the demo CA) and checks the QR
URL, the page and the command on that report; the others use ``stored_signed_report`` (the session's signed
sample PDF stored as a signed report), since the workflow renders the full report twice (about 15 s).
"""
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import COUNTY
from reports.models import QuarterlyReport
from reports.services import report_correct
from reports.signing import sign_pdf
from reports.tests.conftest import make_reviewed_report

pytestmark = pytest.mark.django_db


def signed_bytes(report: QuarterlyReport) -> bytes:
    with report.signed_pdf.open("rb") as handle:
        return handle.read()


def tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def upload(client, url, data: bytes, name="report.pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def run_verify(path):
    out = io.StringIO()
    call_command("verify_report", str(path), stdout=out)
    return out.getvalue()


def page_url(report):
    return reverse("report_verify:verify", args=[report.verification_token])


# ---------------------------------------------------------------- end to end


def test_workflow_signed_report_verifies_on_its_qr_page_and_with_the_command(client, signed_report, tmp_path):
    data = signed_bytes(signed_report)
    assert page_url(signed_report) == f"/reports/verify/{signed_report.verification_token}/"
    html = client.get(page_url(signed_report)).content.decode()
    assert f"{signed_report}" in html and signed_report.signed_sha256 in html
    assert f"<dd>{signed_report.signer_name}</dd>" in html
    good = upload(client, page_url(signed_report), data).content.decode()
    assert "✔ 核验通过" in good
    bad = upload(client, page_url(signed_report), tampered(data)).content.decode()
    assert "✘ 核验未通过" in bad and "电子签名已失效" in bad
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    assert run_verify(path).rstrip().endswith("核验通过")
    path.write_bytes(tampered(data))
    with pytest.raises(CommandError) as raised:
        run_verify(path)
    assert raised.value.returncode == 1


# ---------------------------------------------------------------- the QR page


def test_anonymous_sees_the_report_identity_signer_and_hash(client, stored_signed_report, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(page_url(stored_signed_report))
    assert response.status_code == 200
    html = response.content.decode()
    assert "新平彝族傣族自治县2026年第1季度进展报告（第1版）" in html
    assert "第 1 版" in html
    assert "已签署" in html
    assert f"<dd>{stored_signed_report.signer_name}</dd>" in html
    assert f"<dd>{stored_signed_report.signer_unit}</dd>" in html
    assert stored_signed_report.signed_sha256 in html
    assert "（北京时间）" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "已被第" not in html
    assert "尚未签署" not in html


def test_unknown_token_is_404(client, stored_signed_report):
    response = client.get(reverse("report_verify:verify", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert stored_signed_report.signed_sha256 not in response.content.decode()


def test_unsigned_report_says_it_is_not_signed_yet(client, areas, leading_group_staff, report_reviewer, report_media):
    report = make_reviewed_report(generator=leading_group_staff, reviewer=report_reviewer, area=areas[COUNTY])
    response = client.get(page_url(report))
    assert response.status_code == 200
    html = response.content.decode()
    assert "该报告尚未签署，暂无签署版可供核验。" in html
    assert "已审核" in html
    assert 'type="file"' not in html
    assert "签发人" not in html


def appended(data: bytes) -> bytes:
    return data + b"\n% appended\n"


@pytest.mark.parametrize(("change", "shown", "absent"), [
    pytest.param(bytes, ["✔ 核验通过", "这份文件与系统保存的签署版报告完全一致", "电子签名完好：签名之后文件没有被改动。",
                         "签名证书可信"], [], id="signed_file_passes"),
    pytest.param(tampered, ["✘ 核验未通过", "这份文件不是系统保存的签署版报告", "电子签名已失效",
                            "签名已失效，无法确认签名证书是否可信。"], ["核验通过"], id="tampered_copy_fails"),
    pytest.param(appended, ["✘ 核验未通过", "这份文件不是系统保存的签署版报告", "追加了内容"], [],
                 id="appended_bytes_is_not_the_stored_signed_report"),
])
def test_upload_verdict(client, stored_signed_report, change, shown, absent):
    """The verdict on an uploaded copy of the signed report: unchanged, tampered with, or with bytes appended
    (``absent`` is looked for beside the 核验未通过 verdict)."""
    response = upload(client, page_url(stored_signed_report), change(signed_bytes(stored_signed_report)))
    assert response.status_code == 200
    html = response.content.decode()
    for text in shown:
        assert text in html
    for text in absent:
        assert text not in html.replace("核验未通过", "")


def test_upload_of_a_non_pdf_and_an_empty_or_oversized_file(client, stored_signed_report, settings):
    response = upload(client, page_url(stored_signed_report), "不是PDF".encode(), name="note.txt")
    assert "文件无法解析为 PDF" in response.content.decode()
    response = client.post(page_url(stored_signed_report), {})
    assert response.status_code == 400
    assert "报告 PDF 文件：请选择要核验的文件。" in response.content.decode()
    settings.REPORT_VERIFY_MAX_UPLOAD_BYTES = 100 * 1024  # the sample is about 220 KB
    response = upload(client, page_url(stored_signed_report), signed_bytes(stored_signed_report))
    assert response.status_code == 400
    assert "报告 PDF 文件：文件过大，最大 100 KB。" in response.content.decode()
    assert "核验通过" not in response.content.decode()
    settings.REPORT_VERIFY_MAX_UPLOAD_BYTES = 10 * 1024  # far above the limit: refused before parsing
    response = upload(client, reverse("report_verify:verify_upload"), signed_bytes(stored_signed_report))
    assert response.status_code == 400
    assert "报告 PDF 文件：文件过大，最大 10 KB。" in response.content.decode()


def test_superseded_report_points_to_the_newer_version(client, stored_signed_report, leading_group_staff):
    correction = report_correct(actor=leading_group_staff, report=stored_signed_report, reason="更正脱贫人数")
    html = client.get(page_url(stored_signed_report)).content.decode()
    assert "已被第 2 版更正" in html
    assert page_url(correction) in html
    newer = client.get(page_url(correction)).content.decode()
    assert "（更正第 1 版）" in newer
    assert "该报告尚未签署" in newer


# ---------------------------------------------------------------- upload without a link


def test_upload_page_finds_the_report_by_hash(client, stored_signed_report):
    url = reverse("report_verify:verify_upload")
    assert url == "/reports/verify/"
    assert client.get(url).status_code == 200
    html = upload(client, url, signed_bytes(stored_signed_report)).content.decode()
    assert "✔ 核验通过" in html
    assert str(stored_signed_report) in html
    assert stored_signed_report.signed_sha256 in html


def test_upload_page_with_a_signed_file_the_system_does_not_hold(client, stored_signed_report, sample_report_pdf):
    other = sign_pdf(sample_report_pdf, signer_name="赵六", signer_unit="新平县扶贫办", reason="测试",
                     verify_url="https://fupin.example.org/reports/verify/")
    html = upload(client, reverse("report_verify:verify_upload"), other.data).content.decode()
    assert "✘ 核验未通过" in html
    assert "系统中没有与这份文件完全一致的签署版报告" in html
    assert "电子签名完好" in html  # the signature itself is fine: it just is not a report kept here


# ---------------------------------------------------------------- manage.py verify_report


def test_verify_report_command_passes_for_the_signed_file(stored_signed_report, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_bytes(stored_signed_report))
    output = run_verify(path)
    assert f"SHA-256：{stored_signed_report.signed_sha256}" in output
    assert f"报告：{stored_signed_report}（已签署）" in output
    assert "✔ 这份文件与系统保存的签署版报告完全一致" in output
    assert output.rstrip().endswith("核验通过")


def test_verify_report_command_fails_for_a_tampered_copy(stored_signed_report, tmp_path):
    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered(signed_bytes(stored_signed_report)))
    with pytest.raises(CommandError) as raised:
        run_verify(path)
    assert raised.value.returncode == 1
    assert str(raised.value) == "核验未通过"


def test_verify_report_command_missing_file(tmp_path):
    with pytest.raises(CommandError) as raised:
        run_verify(tmp_path / "absent.pdf")
    assert raised.value.returncode == 2
