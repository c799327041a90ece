"""Public verification of signed quarterly reports (DOMAIN.md §6.3).

Two separate questions, answered separately:

* Is this file exactly the signed report kept by the system? Its SHA-256 equals ``signed_sha256``; one byte
  changed or appended anywhere makes it a different file.
* Is its PAdES signature in order? pyHanko reports ``intact`` (the signed bytes are unchanged), ``valid``
  (the cryptographic signature checks out) and trust (the certificate chains to a configured root,
  ``REPORT_SIGNING_TRUST_ROOTS``) separately: a tampered file can still show ``valid``, so tampering is judged
  by ``intact`` and by the signature covering the whole file (no incremental update appended afterwards),
  and trust on its own.

No network is used: revocation is not fetched (the demo CA publishes none), so revocation checking is soft.
"""
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.models import QuarterlyReport, ReportStatus
from reports.signing import name_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfVerification:
    """What the signature of one PDF file says about it."""

    sha256: str
    size: int
    is_pdf: bool = False
    has_signature: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    coverage: str = ""
    signer_subject: str = ""
    signer_name: str = ""
    issuer_name: str = ""
    signing_time: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def signature_ok(self) -> bool:
        """Intact, cryptographically valid, covering every byte of the file, from a trusted certificate."""
        return self.has_signature and self.intact and self.valid and self.covers_whole_file and self.trusted

    @property
    def checks(self) -> list[tuple[bool, str]]:
        """Plain-Chinese findings about the signature, each with whether it passed."""
        if not self.is_pdf:
            return [(False, "文件无法解析为 PDF：可能不是 PDF 文件，或文件已损坏。")]
        if not self.has_signature:
            return [(False, "文件中没有电子签名。")]
        if self.intact and self.valid and self.covers_whole_file:
            checks = [(True, "电子签名完好：签名之后文件没有被改动。")]
        elif self.intact and self.valid:
            checks = [(False, "签名之后文件又被追加了内容（增量更新），追加的部分不受签名保护。")]
        else:
            checks = [(False, "电子签名已失效：签名之后文件被改动过，或签名数据已损坏。")]
        if self.trusted:
            checks.append((True, f"签名证书可信：由已配置的根证书签发（{self.issuer_name}）。"))
        elif self.intact and self.valid:
            checks.append((False, "签名证书不可信：不是由本系统配置的根证书签发。"))
        else:
            checks.append((False, "签名已失效，无法确认签名证书是否可信。"))
        return checks + [(False, problem) for problem in self.problems]

    @property
    def messages(self) -> list[str]:
        return [text for _, text in self.checks]

    @property
    def message(self) -> str:
        return "".join(self.messages)


@dataclass(frozen=True)
class ReportVerification:
    """An uploaded file checked against one signed report."""

    report: QuarterlyReport | None
    pdf: PdfVerification

    @property
    def is_exact_report(self) -> bool:
        return bool(
            self.report is not None and self.report.signed_sha256 and self.report.signed_sha256 == self.pdf.sha256
        )

    @property
    def ok(self) -> bool:
        return self.is_exact_report and self.pdf.signature_ok

    @property
    def checks(self) -> list[tuple[bool, str]]:
        if self.report is None:
            first = "系统中没有与这份文件完全一致的签署版报告（按 SHA-256 查找）。"
        elif not self.report.is_signed:
            first = "该报告尚未签署，系统中没有签署版可供比对。"
        elif self.is_exact_report:
            first = f"这份文件与系统保存的签署版报告完全一致（{self.report}，SHA-256 相同）。"
        else:
            first = f"这份文件不是系统保存的签署版报告：内容与签署版不一致（{self.report}，SHA-256 不同）。"
        return [(self.is_exact_report, first), *self.pdf.checks]

    @property
    def messages(self) -> list[str]:
        return [text for _, text in self.checks]

    @property
    def message(self) -> str:
        return "".join(self.messages)

    @property
    def verdict(self) -> str:
        return "核验通过" if self.ok else "核验未通过"


def load_trust_roots() -> list[x509.Certificate]:
    """The configured root certificates (PEM or DER files); unreadable paths are logged and skipped."""
    roots = []
    for path in settings.REPORT_SIGNING_TRUST_ROOTS:
        try:
            data = Path(path).read_bytes()
        except OSError:
            logger.warning("trust root %s cannot be read", path)
            continue
        if pem.detect(data):
            roots.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
        else:
            roots.append(x509.Certificate.load(data))
    return roots


def _validation_context() -> ValidationContext:
    return ValidationContext(trust_roots=load_trust_roots(), allow_fetching=False, revocation_mode="soft-fail")


def _der_length(raw: bytes) -> int | None:
    """Length of the DER value at the start of ``raw`` (tag, length octets, contents), or None if malformed."""
    if len(raw) < 2:
        return None
    first = raw[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or len(raw) < 2 + count:
        return None
    return 2 + count + int.from_bytes(raw[2:2 + count], "big")


def signature_gap_untouched(data: bytes, byte_range) -> bool:
    """The only bytes a signature does not cover (its /Contents hex string) are exactly as a signer writes them.

    A byte changed in the zero padding after the CMS data, or a hex digit changed from upper to lower case,
    leaves the decoded signature valid; this check makes such a change count as tampering too.
    """
    start, resume = int(byte_range[0]) + int(byte_range[1]), int(byte_range[2])
    gap = data[start:resume]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    digits = gap[1:-1]
    if digits not in (digits.upper(), digits.lower()):
        return False
    try:
        raw = bytes.fromhex(digits.decode("ascii"))
    except ValueError:
        return False
    length = _der_length(raw)
    return length is not None and length <= len(raw) and not raw[length:].strip(b"\x00")


def verify_pdf(data: bytes) -> PdfVerification:
    """Check the report signature embedded in ``data`` (the first signature of the file)."""
    base = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if not data.startswith(b"%PDF-"):
        return PdfVerification(**base)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a damaged uploaded file is a verdict, never a server error
        logger.info("reading signatures failed: %r", error)
        return PdfVerification(**base, is_pdf=True, has_signature=b"/ByteRange" in data,
                               problems=["文件结构或签名数据已损坏，无法读取签名。"])
    if not signatures:
        return PdfVerification(**base, is_pdf=True)
    signature = signatures[0]
    problems = []
    if len(signatures) > 1:
        problems.append(f"文件中有 {len(signatures)} 个签名，只核验了第一个（报告签名）。")
    try:
        status = validate_pdf_signature(signature, signer_validation_context=_validation_context())
    except Exception as error:
        logger.info("signature validation failed: %r", error)
        return PdfVerification(**base, is_pdf=True, has_signature=True, problems=["签名数据已损坏，无法核验。"])
    certificate = status.signing_cert
    return PdfVerification(
        **base,
        is_pdf=True,
        has_signature=True,
        intact=bool(status.intact) and signature_gap_untouched(data, signature.byte_range),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        coverage=status.coverage.name if status.coverage is not None else "",
        signer_subject=name_text(certificate.subject) if certificate else "",
        signer_name=certificate.subject.native.get("common_name", "") if certificate else "",
        issuer_name=certificate.issuer.native.get("common_name", "") if certificate else "",
        signing_time=signature.self_reported_timestamp,
        problems=problems,
    )


def verify_against_report(data: bytes, report: QuarterlyReport) -> ReportVerification:
    """Is ``data`` exactly ``report``'s signed PDF, and is its signature in order?"""
    return ReportVerification(report=report, pdf=verify_pdf(data))


def find_report_for(data: bytes) -> QuarterlyReport | None:
    """The signed report whose stored SHA-256 equals the file's, if any (public: no scoping, no personal data)."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        QuarterlyReport.objects.select_related("area", "supersedes", "superseded_by")
        .filter(status=ReportStatus.SIGNED, signed_sha256=digest)
        .first()
    )


def verify_upload(data: bytes) -> ReportVerification:
    """An uploaded file with no report given: find the report by hash, then check the signature."""
    return ReportVerification(report=find_report_for(data), pdf=verify_pdf(data))
