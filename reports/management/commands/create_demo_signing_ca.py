"""``manage.py create_demo_signing_ca``: a demo root CA and the organisation's signing certificate.

For the demo only (refused in production, where the organisation's own PKCS#12 file is configured). The files
are written outside the repository, to ``REPORT_SIGNING_DIR`` (env ``POVALLEVIATION_SIGNING_DIR``):
``ca.pem`` (the root to trust), ``ca-key.pem``, ``signer.pem`` and ``signer.p12`` (key and chain, protected by
``REPORT_SIGNING_PKCS12_PASSWORD``). Existing files are kept unless ``--force``.
"""
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_ORGANISATION = "新平彝族傣族自治县人民政府（演示）"
DEMO_CA_NAME = "新平县脱贫攻坚演示根证书（仅供演示）"
DEMO_SIGNER_NAME = "新平县脱贫攻坚领导小组办公室"


@dataclass(frozen=True)
class DemoSigningFiles:
    directory: Path
    ca_pem: Path
    ca_key: Path
    signer_pem: Path
    pkcs12: Path
    created: bool


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "云南省"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "玉溪市新平县"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)


def create_demo_signing_files(directory: Path, password: str, *, force: bool = False) -> DemoSigningFiles:
    """Make (or keep) the demo CA and signing certificate in ``directory``."""
    directory = Path(directory).expanduser().resolve()
    files = DemoSigningFiles(
        directory=directory,
        ca_pem=directory / "ca.pem",
        ca_key=directory / "ca-key.pem",
        signer_pem=directory / "signer.pem",
        pkcs12=directory / "signer.p12",
        created=True,
    )
    if not force and files.ca_pem.exists() and files.pkcs12.exists():
        return DemoSigningFiles(**{**files.__dict__, "created": False})
    if not password:
        raise CommandError("PKCS#12 密码不能为空：设置 REPORT_SIGNING_PKCS12_PASSWORD 或使用 --password")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = _name(DEMO_CA_NAME)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEMO_SIGNER_NAME))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    _write(files.ca_pem, ca_cert.public_bytes(pem))
    _write(
        files.ca_key,
        ca_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(password.encode())),
        private=True,
    )
    _write(files.signer_pem, signer_cert.public_bytes(pem))
    _write(
        files.pkcs12,
        pkcs12.serialize_key_and_certificates(
            name=DEMO_SIGNER_NAME.encode(), key=signer_key, cert=signer_cert, cas=[ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        ),
        private=True,
    )
    return files


class Command(BaseCommand):
    help = "生成演示用根证书和签名证书（PKCS#12，带密码），存放在代码仓库之外。生产模式下拒绝执行。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="证书目录（默认 REPORT_SIGNING_DIR / 环境变量 POVALLEVIATION_SIGNING_DIR）")
        parser.add_argument("--password", help="PKCS#12 密码（默认 REPORT_SIGNING_PKCS12_PASSWORD）")
        parser.add_argument("--force", action="store_true", help="覆盖已有的演示证书")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产模式下不能生成演示证书：请设置机构自己的 REPORT_SIGNING_PKCS12_PATH。")
        directory = Path(options["dir"] or settings.REPORT_SIGNING_DIR).expanduser().resolve()
        if directory.is_relative_to(Path(settings.BASE_DIR).resolve()):
            raise CommandError(f"证书目录 {directory} 位于代码仓库内：私钥不得放进仓库，请换一个目录。")
        password = options["password"] or settings.REPORT_SIGNING_PKCS12_PASSWORD
        files = create_demo_signing_files(directory, password, force=options["force"])
        if files.created:
            self.stdout.write(self.style.SUCCESS(f"已生成演示证书（签名证书：{DEMO_SIGNER_NAME}）。"))
        else:
            self.stdout.write("演示证书已存在，保持不变（使用 --force 重新生成）。")
        self.stdout.write(f"根证书（验证时信任）：{files.ca_pem}")
        self.stdout.write(f"签名证书：{files.signer_pem}")
        self.stdout.write(f"PKCS#12 文件：{files.pkcs12}")
        self.stdout.write("使用以下设置（开发模式下即为默认值）：")
        self.stdout.write(f"  REPORT_SIGNING_PKCS12_PATH={files.pkcs12}")
        self.stdout.write(f"  REPORT_SIGNING_PKCS12_PASSWORD={password}")
        self.stdout.write(f"  REPORT_SIGNING_TRUST_ROOTS={files.ca_pem}")
