"""Standard tools see a valid signature from the demo CA: poppler's ``pdfsig`` (trusting the CA through an NSS
database made with ``certutil``) and pyHanko's command line. ``pdfsig`` exits 0 even on "Digest Mismatch", so
its output is parsed and its exit code never used."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

PYHANKO = Path(sys.executable).with_name("pyhanko")


@pytest.fixture(scope="module")
def nss_database(tmp_path_factory, demo_signing_files):
    directory = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "povalleviation-demo-ca", "-t", "CT,C,C",
                    "-i", str(demo_signing_files.ca_pem)], check=True)
    return directory


def pdfsig(path: Path, nss_database: Path) -> dict[str, str]:
    output = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_database}", str(path)], capture_output=True,
                            text=True).stdout
    return dict(re.findall(r"^ +- ([^:\n]+): (.*)$", output, flags=re.MULTILINE))


@pytest.fixture
def signed_file(tmp_path, signed_sample):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_sample.data)
    return path


@pytest.fixture
def tampered_file(tmp_path, signed_sample):
    data = bytearray(signed_sample.data)
    data[len(data) // 3] ^= 0x01
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    return path


def test_pdfsig_sees_a_valid_trusted_signature(signed_file, nss_database):
    fields = pdfsig(signed_file, nss_database)
    assert fields["Signature Validation"] == "Signature is Valid."
    assert fields["Certificate Validation"] == "Certificate is Trusted."
    assert fields["Signer Certificate Common Name"] == "新平县脱贫攻坚领导小组办公室"
    assert fields["Signature Type"] == "ETSI.CAdES.detached"
    assert fields["Signing Hash Algorithm"] == "SHA-256"


def test_pdfsig_reports_a_digest_mismatch_for_a_tampered_copy(tampered_file, nss_database):
    fields = pdfsig(tampered_file, nss_database)
    assert fields["Signature Validation"] == "Digest Mismatch."


def test_pyhanko_cli_validates_with_the_demo_ca(signed_file, demo_signing_files):
    result = subprocess.run(
        [str(PYHANKO), "sign", "validate", "--trust", str(demo_signing_files.ca_pem), "--trust-replace",
         str(signed_file)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"ReportSignature:[0-9a-f]{64}:INTACT:TRUSTED,UNTOUCHED", result.stdout.strip())


def test_pyhanko_cli_refuses_a_tampered_copy(tampered_file, demo_signing_files):
    result = subprocess.run(
        [str(PYHANKO), "sign", "validate", "--trust", str(demo_signing_files.ca_pem), "--trust-replace",
         str(tampered_file)],
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert result.stdout.strip().endswith(":INVALID")
