"""PAdES signing of quarterly reports with the organisation's certificate (DOMAIN.md §6.3).

``sign_pdf`` applies a PAdES baseline (B-B) signature with pyHanko: the signer's certificate and its chain are
embedded, no time-stamp authority or OCSP responder is contacted (county networks have none). The last page
gets a visible stamp in the box x 60–535 pt, y 60–250 pt (A4, from the bottom-left corner) with the signer,
the unit, the signing time in Beijing time and a QR code of the report's public verification URL.

The certificate is a PKCS#12 file named by ``REPORT_SIGNING_PKCS12_PATH`` (password
``REPORT_SIGNING_PKCS12_PASSWORD``); for the demo, ``manage.py create_demo_signing_ca`` makes one outside the
repository. The stamp font is one face of the CJK collection extracted once to an ``.otf`` file in
``REPORT_SIGNING_FONT_CACHE_DIR``: pyHanko's font loader cannot read ``.ttc`` collections.
"""
import hashlib
import os
import tempfile
import threading
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import QRPosition, QRStampStyle

from povalleviation.errors import ApplicationError

SIGNATURE_FIELD_NAME = "ReportSignature"
# Where the stamp goes on the last page (PDF points from the bottom-left corner); report templates keep
# this area of the last page free.
STAMP_BOX = (60, 60, 535, 250)
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
STAMP_TIME_FORMAT = "%Y年%m月%d日 %H:%M:%S（北京时间）"
# Candidate fonts for the stamp, first found wins: (file, face name to pick inside a collection).
STAMP_FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYiZenHei"),
)
NOT_CONFIGURED = (
    "未配置签名证书，请运行 manage.py create_demo_signing_ca 或设置 REPORT_SIGNING_PKCS12_PATH 和 "
    "REPORT_SIGNING_PKCS12_PASSWORD"
)


class SigningNotConfigured(ApplicationError):
    code = "signing_not_configured"


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    sha256: str
    certificate_subject: str
    signed_at: datetime


# ---------------------------------------------------------------- the stamp font


_font_lock = threading.Lock()


def _font_cache_dirs() -> list[Path]:
    # The temporary directory is the fallback for a read-only home (the container's user has none).
    return [Path(settings.REPORT_SIGNING_FONT_CACHE_DIR), Path(tempfile.gettempdir()) / f"povalleviation-{os.getuid()}"]


def _font_file_name(source: Path, face: str) -> str:
    stat = source.stat()
    return f"{face}-{stat.st_size}-{int(stat.st_mtime)}.otf"


# Layout tables the stamp does not need (no ligatures or vertical text in CJK labels); without them pyHanko's
# per-signature font subsetting takes about 1 s instead of 1.8 s.
UNUSED_STAMP_FONT_TABLES = ("GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx")


def _extract_face(source: Path, face: str, target: Path) -> None:
    """Write one face of a font collection to ``target`` (atomically: workers may race on the first run)."""
    from fontTools.ttLib import TTCollection, TTFont

    target.parent.mkdir(parents=True, exist_ok=True)
    names = [font["name"].getDebugName(6) for font in TTCollection(str(source), lazy=True).fonts]
    font = TTFont(str(source), fontNumber=names.index(face) if face in names else 0, lazy=True)
    for tag in UNUSED_STAMP_FONT_TABLES:
        if tag in font:
            del font[tag]
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
    os.close(handle)
    try:
        font.save(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def stamp_font_path() -> Path:
    """The single-face font file for the stamp, extracted from the CJK collection on first use only."""
    for source_name, face in STAMP_FONT_CANDIDATES:
        source = Path(source_name)
        if not source.exists():
            continue
        name = _font_file_name(source, face)
        for directory in _font_cache_dirs():
            target = directory / name
            if target.exists():
                return target
            with _font_lock:
                if target.exists():
                    return target
                try:
                    _extract_face(source, face, target)
                except OSError:
                    continue
                return target
    raise ApplicationError("找不到签章所需的中文字体（或无法写入字体缓存目录），请安装 fonts-noto-cjk")


# ---------------------------------------------------------------- the certificate


def load_signer() -> signers.SimpleSigner:
    """The organisation's signer from the configured PKCS#12 file, with its certificate chain."""
    path = settings.REPORT_SIGNING_PKCS12_PATH
    if not path:
        raise SigningNotConfigured(NOT_CONFIGURED)
    if not Path(path).is_file():
        raise SigningNotConfigured(f"{NOT_CONFIGURED}（找不到证书文件 {path}）")
    password = settings.REPORT_SIGNING_PKCS12_PASSWORD
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=password.encode() if password else None)
    if signer is None:
        raise SigningNotConfigured(f"签名证书文件 {path} 无法读取：密码错误或文件损坏（REPORT_SIGNING_PKCS12_PASSWORD）")
    return signer


# ---------------------------------------------------------------- the stamp


@dataclass(frozen=True)
class BeijingTimeQRStampStyle(QRStampStyle):
    """pyHanko's QR stamp, showing the signing time (the same instant as the CMS signing time) in Beijing time.

    pyHanko formats the signing time with ``timestamp_format`` in UTC; an ISO format lets us read it back
    and show it in Asia/Shanghai.
    """

    timestamp_format: str = "%Y-%m-%dT%H:%M:%S%z"

    def create_stamp(self, writer, box, text_params):
        if "ts" in text_params:
            signed = datetime.strptime(text_params["ts"], self.timestamp_format)
            text_params = {**text_params, "ts": signed.astimezone(BEIJING).strftime(STAMP_TIME_FORMAT)}
        return super().create_stamp(writer, box, text_params)


def stamp_style() -> BeijingTimeQRStampStyle:
    return BeijingTimeQRStampStyle(
        stamp_text=(
            "电子签章 · 季度进展报告\n"
            "签发人：%(signer_name)s\n"
            "签发单位：%(signer_unit)s\n"
            "签发时间：%(ts)s\n"
            "扫码或访问以下地址核验：\n%(url)s"
        ),
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(stamp_font_path()), font_size=10),
            leading=15,
        ),
        qr_position=QRPosition.LEFT_OF_TEXT,
        border_width=1,
        background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(10),
        ),
    )


# ---------------------------------------------------------------- signing


NAME_ATTRIBUTES = (
    ("common_name", "CN"), ("organizational_unit_name", "OU"), ("organization_name", "O"),
    ("locality_name", "L"), ("state_or_province_name", "ST"), ("country_name", "C"),
)


def name_text(name) -> str:
    """An X.509 name (asn1crypto) as ``CN=…, O=…, C=CN``."""
    values = name.native
    parts = []
    for key, label in NAME_ATTRIBUTES:
        value = values.get(key)
        for item in value if isinstance(value, list) else [value]:
            if item:
                parts.append(f"{label}={item}")
    return ", ".join(parts)


def certificate_subject(signer: signers.SimpleSigner) -> str:
    return name_text(signer.signing_cert.subject)


def sign_pdf(pdf_bytes: bytes, *, signer_name: str, signer_unit: str, reason: str, verify_url: str) -> SignedPdf:
    """Sign ``pdf_bytes`` (PAdES B-B, chain embedded) with a visible stamp and QR code on the last page."""
    signer = load_signer()
    style = stamp_style()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=signer_name,
        location=signer_unit,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD_NAME, on_page=-1, box=STAMP_BOX),
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    output = BytesIO()
    try:
        pdf_signer.sign_pdf(
            writer,
            output=output,
            appearance_text_params={"url": verify_url, "signer_name": signer_name, "signer_unit": signer_unit},
        )
    except SigningError as error:
        raise ApplicationError(f"签名失败：{error}") from error
    data = output.getvalue()
    embedded = PdfFileReader(BytesIO(data)).embedded_signatures[-1]
    return SignedPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        certificate_subject=certificate_subject(signer),
        signed_at=embedded.self_reported_timestamp,
    )
