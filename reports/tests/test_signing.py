"""PAdES signing with the demo CA: pyHanko's own validator, the visible stamp and QR code, tampering.

pyHanko reports ``intact``, ``valid`` and trust separately: tampering is judged by ``intact`` (and coverage),
never by ``valid`` alone.
"""
import datetime
import hashlib
import io
import re
import subprocess

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.signing import STAMP_BOX, SigningNotConfigured, sign_pdf, stamp_font_path
from reports.tests.conftest import SAMPLE_VERIFY_URL, SIGNING_UNIT
from reports.verification import verify_pdf


def pyhanko_status(data: bytes, ca_pem):
    root = x509.Certificate.load(pem.unarmor(ca_pem.read_bytes())[2])
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    signature = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[0]
    return validate_pdf_signature(signature, signer_validation_context=context)


def signature_gap(data: bytes) -> tuple[int, int]:
    """Start and end of the /Contents hex string (the only bytes the signature does not cover)."""
    match = re.search(rb"/Contents <([0-9A-Fa-f]+)>", data)
    return match.start(1), match.end(1)


def with_byte_changed(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    original = changed[position]
    hex_digit = chr(original) in "0123456789ABCDEF"
    changed[position] = (ord("1") if original != ord("1") else ord("2")) if hex_digit else original ^ 0x01
    assert changed != bytearray(data)
    return bytes(changed)


# ---------------------------------------------------------------- a good signature


def test_signature_is_intact_valid_and_trusted_per_pyhanko(signed_sample, demo_signing_files):
    status = pyhanko_status(signed_sample.data, demo_signing_files.ca_pem)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == SIGNING_UNIT
    assert signed_sample.sha256 == hashlib.sha256(signed_sample.data).hexdigest()
    assert signed_sample.certificate_subject.startswith(f"CN={SIGNING_UNIT}, O=")
    assert signed_sample.certificate_subject.endswith("C=CN")


def test_signature_is_pades_with_the_chain_embedded(signed_sample, demo_signing_files):
    signature = PdfFileReader(io.BytesIO(signed_sample.data)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == pdf_name("/ETSI.CAdES.detached")
    assert signature.sig_object["/Reason"] == "季度进展报告签发"
    signed_attributes = {attr["type"].native for attr in signature.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in signed_attributes  # PAdES baseline: the signer certificate is bound
    ca = x509.Certificate.load(pem.unarmor(demo_signing_files.ca_pem.read_bytes())[2])
    assert ca.sha256 in {cert.sha256 for cert in signature.other_embedded_certs}


def test_signed_at_is_the_signing_time_in_the_signature(signed_sample):
    signature = PdfFileReader(io.BytesIO(signed_sample.data)).embedded_signatures[0]
    assert signed_sample.signed_at == signature.self_reported_timestamp
    assert signed_sample.signed_at.utcoffset() is not None
    now = datetime.datetime.now(datetime.UTC)
    assert now - datetime.timedelta(hours=2) < signed_sample.signed_at <= now


def test_visible_stamp_is_on_the_last_page_in_the_reserved_box(signed_sample, sample_report_pdf):
    original_pages = PdfFileReader(io.BytesIO(sample_report_pdf)).root["/Pages"]["/Count"]
    assert original_pages == 2
    reader = PdfFileReader(io.BytesIO(signed_sample.data))
    last_page = reader.root["/Pages"]["/Kids"][-1].get_object()
    widgets = [annot.get_object() for annot in last_page.get("/Annots", [])]
    assert [[float(value) for value in widget["/Rect"]] for widget in widgets] == [list(map(float, STAMP_BOX))]
    first_page = reader.root["/Pages"]["/Kids"][0].get_object()
    assert "/Annots" not in first_page


def test_stamp_text_shows_signer_unit_beijing_time_and_url(signed_sample, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_sample.data)
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    beijing = signed_sample.signed_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert "签发人：李明" in text
    assert f"签发单位：{SIGNING_UNIT}" in text
    assert f"签发时间：{beijing:%Y年%m月%d日 %H:%M:%S}（北京时间）" in text
    assert SAMPLE_VERIFY_URL in text


def test_qr_code_on_the_last_page_holds_the_verification_url(signed_sample, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_sample.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(path), str(tmp_path / "page")],
                   check=True)
    [image] = tmp_path.glob("page*.png")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    assert decoded.stdout.strip() == SAMPLE_VERIFY_URL


def test_stamp_font_is_one_face_extracted_once_outside_the_repository(settings, tmp_path):
    from fontTools.ttLib import TTFont

    settings.REPORT_SIGNING_FONT_CACHE_DIR = tmp_path / "fonts"
    first = stamp_font_path()
    assert first.parent == tmp_path / "fonts"
    assert first.suffix == ".otf"
    assert not first.resolve().is_relative_to(settings.BASE_DIR)
    font = TTFont(str(first))  # a single font, not a collection
    assert font["name"].getDebugName(6) == "NotoSansCJKsc-Regular"
    assert "GSUB" not in font and ord("签") in font.getBestCmap()
    modified = first.stat().st_mtime_ns
    assert stamp_font_path() == first
    assert first.stat().st_mtime_ns == modified
    assert [path.name for path in (tmp_path / "fonts").iterdir()] == [first.name]


def test_stamp_font_falls_back_to_the_temporary_directory_when_the_cache_is_not_writable(settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.REPORT_SIGNING_FONT_CACHE_DIR = blocker / "fonts"
    path = stamp_font_path()
    assert path.exists()
    assert path.parent.name.startswith("povalleviation-")
    assert not (blocker / "fonts").exists()


# ---------------------------------------------------------------- tampering


@pytest.mark.parametrize(
    "where",
    ["header", "first_page_content", "just_before_signature", "signature_der", "signature_padding",
     "just_after_signature", "trailer"],
)
def test_one_changed_byte_anywhere_fails(signed_sample, demo_signing_files, where):
    data = signed_sample.data
    start, end = signature_gap(data)
    position = {
        "header": 10,
        "first_page_content": len(data) // 3,
        "just_before_signature": start - 40,
        "signature_der": start + 200,
        "signature_padding": end - 6,
        "just_after_signature": end + 30,
        "trailer": len(data) - 20,
    }[where]
    tampered = with_byte_changed(data, position)
    verification = verify_pdf(tampered)
    assert verification.signature_ok is False
    assert verification.intact is False or verification.valid is False
    assert verification.sha256 != signed_sample.sha256
    assert "电子签名完好" not in verification.message


@pytest.mark.parametrize("position", [0.25, 0.5, 0.75])
def test_changed_signed_content_is_not_intact_per_pyhanko(signed_sample, demo_signing_files, position):
    data = signed_sample.data
    start, _ = signature_gap(data)
    status = pyhanko_status(with_byte_changed(data, int(start * position)), demo_signing_files.ca_pem)
    assert status.intact is False
    assert status.bottom_line is False


def test_changed_hex_case_in_the_signature_fails(signed_sample):
    data = bytearray(signed_sample.data)
    start, _ = signature_gap(bytes(data))
    letter = next(i for i in range(start, start + 400) if chr(data[i]) in "ABCDEF")
    data[letter] = ord(chr(data[letter]).lower())
    verification = verify_pdf(bytes(data))
    assert verification.valid is True  # the decoded signature is the same …
    assert verification.intact is False  # … but the file is not what was signed
    assert verification.signature_ok is False


def test_appended_bytes_leave_the_signature_intact_but_not_covering_the_file(signed_sample):
    verification = verify_pdf(signed_sample.data + b"\n% appended\n")
    assert verification.intact is True
    assert verification.covers_whole_file is False
    assert verification.signature_ok is False
    assert "追加了内容" in verification.message


def test_incremental_update_is_detected(signed_sample):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_sample.data))
    writer.root["/PageMode"] = pdf_name("/UseOutlines")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    verification = verify_pdf(output.getvalue())
    assert verification.intact is True
    assert verification.coverage == "ENTIRE_REVISION"
    assert verification.signature_ok is False


def test_untrusted_root_is_reported_separately(settings, signed_sample):
    settings.REPORT_SIGNING_TRUST_ROOTS = []
    verification = verify_pdf(signed_sample.data)
    assert (verification.intact, verification.valid, verification.trusted) == (True, True, False)
    assert verification.signature_ok is False
    assert "签名证书不可信" in verification.message


def test_unsigned_and_non_pdf_files(sample_report_pdf):
    unsigned = verify_pdf(sample_report_pdf)
    assert (unsigned.is_pdf, unsigned.has_signature, unsigned.signature_ok) == (True, False, False)
    assert unsigned.message == "文件中没有电子签名。"
    garbage = verify_pdf("这不是 PDF".encode())
    assert (garbage.is_pdf, garbage.signature_ok) == (False, False)
    assert "无法解析为 PDF" in garbage.message


# ---------------------------------------------------------------- configuration


def test_missing_certificate_gives_a_clear_chinese_error(settings, sample_report_pdf):
    settings.REPORT_SIGNING_PKCS12_PATH = ""
    with pytest.raises(SigningNotConfigured) as raised:
        sign_pdf(sample_report_pdf, signer_name="李明", signer_unit=SIGNING_UNIT, reason="签发", verify_url="x")
    assert raised.value.message.startswith("未配置签名证书，请运行 manage.py create_demo_signing_ca 或设置 ")
    assert "REPORT_SIGNING_PKCS12_PATH" in raised.value.message


def test_missing_file_and_wrong_password_are_refused(settings, demo_signing_ca, sample_report_pdf, tmp_path):
    settings.REPORT_SIGNING_PKCS12_PATH = str(tmp_path / "absent.p12")
    with pytest.raises(SigningNotConfigured) as raised:
        sign_pdf(sample_report_pdf, signer_name="李明", signer_unit=SIGNING_UNIT, reason="签发", verify_url="x")
    assert f"找不到证书文件 {tmp_path / 'absent.p12'}" in raised.value.message
    settings.REPORT_SIGNING_PKCS12_PATH = str(demo_signing_ca.pkcs12)
    settings.REPORT_SIGNING_PKCS12_PASSWORD = "wrong-password"
    with pytest.raises(SigningNotConfigured) as raised:
        sign_pdf(sample_report_pdf, signer_name="李明", signer_unit=SIGNING_UNIT, reason="签发", verify_url="x")
    assert "密码错误或文件损坏" in raised.value.message
