"""``manage.py verify_report FILE``: the verdict of the public verification page, on the command line.

Exit status 0 only when the file is exactly a signed report kept by the system and its signature is intact,
valid, covers the whole file and comes from a trusted certificate; 1 otherwise (2 when the file is missing).
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.verification import verify_upload


class Command(BaseCommand):
    help = "核验报告 PDF：是否为系统保存的签署版原件、电子签名是否完好可信。未通过时退出码非零。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要核验的 PDF 文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        result = verify_upload(path.read_bytes())
        self.stdout.write(f"文件：{path}")
        self.stdout.write(f"SHA-256：{result.pdf.sha256}")
        if result.report is not None:
            report = result.report
            self.stdout.write(f"报告：{report}（{report.get_status_display()}）")
            self.stdout.write(f"签发：{report.signer_name} · {report.signer_unit} · "
                              f"{timezone.localtime(report.signed_at):%Y-%m-%d %H:%M:%S}")
            try:
                newer = report.superseded_by
            except type(report).DoesNotExist:
                newer = None
            if newer is not None:
                self.stdout.write(f"注意：本报告已被第 {newer.version} 版更正。")
        if result.pdf.signer_subject:
            self.stdout.write(f"签名证书：{result.pdf.signer_subject}")
        for passed, text in result.checks:
            self.stdout.write(("✔ " if passed else "✘ ") + text)
        if not result.ok:
            raise CommandError(result.verdict, returncode=1)
        self.stdout.write(self.style.SUCCESS(result.verdict))
