"""``create_demo_signing_ca`` and the production guard for the signing certificate."""
import os
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.sign import signers

from reports.management.commands.create_demo_signing_ca import DEMO_SIGNER_NAME


def run_command(*args):
    from io import StringIO

    out = StringIO()
    call_command("create_demo_signing_ca", *args, stdout=out)
    return out.getvalue()


def test_creates_ca_and_password_protected_pkcs12(tmp_path, settings):
    settings.REPORT_SIGNING_PKCS12_PASSWORD = "demo-password-for-test"
    directory = tmp_path / "signing"
    output = run_command("--dir", str(directory))
    assert "已生成演示证书" in output
    assert f"REPORT_SIGNING_PKCS12_PATH={directory / 'signer.p12'}" in output
    assert f"REPORT_SIGNING_TRUST_ROOTS={directory / 'ca.pem'}" in output
    key, certificate, chain = pkcs12.load_key_and_certificates(
        (directory / "signer.p12").read_bytes(), b"demo-password-for-test"
    )
    common_name = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert common_name == DEMO_SIGNER_NAME
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "CN"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    ca = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    assert [c.fingerprint(c.signature_hash_algorithm) for c in chain] == [ca.fingerprint(ca.signature_hash_algorithm)]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    certificate.verify_directly_issued_by(ca)
    assert oct(os.stat(directory / "signer.p12").st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates((directory / "signer.p12").read_bytes(), b"wrong")
    assert signers.SimpleSigner.load_pkcs12(str(directory / "signer.p12"), passphrase=b"wrong") is None


def test_is_idempotent_unless_forced(tmp_path):
    directory = tmp_path / "signing"
    run_command("--dir", str(directory))
    first = (directory / "ca.pem").read_bytes(), (directory / "signer.p12").read_bytes()
    output = run_command("--dir", str(directory))
    assert "演示证书已存在，保持不变" in output
    assert ((directory / "ca.pem").read_bytes(), (directory / "signer.p12").read_bytes()) == first
    run_command("--dir", str(directory), "--force")
    assert (directory / "ca.pem").read_bytes() != first[0]


def test_refuses_in_production(tmp_path, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式下不能生成演示证书"):
        run_command("--dir", str(tmp_path / "signing"))
    assert not (tmp_path / "signing").exists()


def test_refuses_a_directory_inside_the_repository():
    directory = settings.BASE_DIR / "signing-demo-should-not-exist"
    with pytest.raises(CommandError, match="位于代码仓库内"):
        run_command("--dir", str(directory))
    assert not directory.exists()


def test_development_defaults_point_outside_the_repository():
    assert settings.REPORT_SIGNING_PKCS12_PATH.endswith("signer.p12")
    for path in [settings.REPORT_SIGNING_PKCS12_PATH, *settings.REPORT_SIGNING_TRUST_ROOTS]:
        assert not os.path.abspath(path).startswith(str(settings.BASE_DIR) + os.sep)


# ---------------------------------------------------------------- production settings

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7Rq!pL2vN9#tW4zK8mB3cF6hJ1sD5gA0eY-uI_oP=aS&dQlkJ8Hn",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/povalleviation",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "example.org",
}
PRINT_SIGNING = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.REPORT_SIGNING_PKCS12_PATH, s.REPORT_SIGNING_TRUST_ROOTS, repr(s.REPORT_SIGNING_PKCS12_PASSWORD))"
)


def run_settings(**variables):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("REPORT_SIGNING_", "DJANGO_", "POVALLEVIATION_"))
           and name not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}}
    env["DJANGO_SETTINGS_MODULE"] = "povalleviation.settings"
    env.update(variables)
    return subprocess.run([sys.executable, "-c", PRINT_SIGNING], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_pkcs12_path():
    result = run_settings(**PRODUCTION_ENV)
    assert result.returncode != 0
    assert "生产模式必须设置 REPORT_SIGNING_PKCS12_PATH" in result.stderr


def test_production_uses_the_configured_certificate_and_no_demo_defaults():
    result = run_settings(**PRODUCTION_ENV, REPORT_SIGNING_PKCS12_PATH="/etc/povalleviation/org.p12",
                          REPORT_SIGNING_PKCS12_PASSWORD="org-secret")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/etc/povalleviation/org.p12", "[]", "'org-secret'"]
    roots = run_settings(**PRODUCTION_ENV, REPORT_SIGNING_PKCS12_PATH="/etc/p/org.p12",
                         REPORT_SIGNING_TRUST_ROOTS="/etc/p/root1.pem,/etc/p/root2.pem")
    assert "['/etc/p/root1.pem', '/etc/p/root2.pem']" in roots.stdout


def test_development_defaults_follow_the_signing_directory(tmp_path):
    result = run_settings(POVALLEVIATION_SIGNING_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == str(tmp_path / "signer.p12")
    assert f"['{tmp_path / 'ca.pem'}']" in result.stdout
