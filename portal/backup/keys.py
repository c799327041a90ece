"""age keys: recipients (public keys, on the server) and identities (private keys, brought to a restore)."""
from pathlib import Path

import pyrage
from pyrage import ssh, x25519

from . import BackupError


def parse_recipients(values: list[str]) -> list:
    recipients = []
    for value in values:
        text = value.strip()
        try:
            recipients.append(ssh.Recipient.from_str(text) if text.startswith("ssh-") else x25519.Recipient.from_str(text))
        except pyrage.RecipientError as error:
            raise BackupError(f"BACKUP_AGE_RECIPIENTS 中的公钥无效（{text[:12]}…）：应为 age1 开头的 age 公钥。") from error
    return recipients


def read_identities(path: str | Path) -> list:
    """The AGE-SECRET-KEY lines of an age identity file (as written by age-keygen; comments ignored)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BackupError(f"无法读取私钥文件：{error.strerror}") from error
    identities = []
    for line in lines:
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(x25519.Identity.from_str(line))
            except pyrage.IdentityError as error:
                raise BackupError("私钥文件中有无效的 age 私钥。") from error
    if not identities:
        raise BackupError("私钥文件中没有 age 私钥（应有以 AGE-SECRET-KEY- 开头的一行）。")
    return identities
