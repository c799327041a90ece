#!/bin/bash
# Point-in-time recovery drill on a private PostgreSQL 15 (its own temporary directory and ports 25433/25434,
# never the shared server): WAL archiving, a base backup, a mistake (DROP TABLE), recovery to the moment before
# it. Run as a non-root user, e.g. `runuser -u postgres -- scripts/pitr_drill.sh`. See docs/operations.md.
set -euo pipefail
B=${PG_BIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/pitr-drill.XXXX)
trap '$B/pg_ctl -D $T/data -m immediate stop >/dev/null 2>&1 || true; $B/pg_ctl -D $T/restored -m immediate stop >/dev/null 2>&1 || true; rm -rf $T' EXIT
mkdir -p $T/wal
$B/initdb -D $T/data -U postgres --locale=C.UTF-8 -E UTF8 >/dev/null 2>&1
cat >> $T/data/postgresql.conf <<CONF
port = 25433
listen_addresses = ''
unix_socket_directories = '$T'
wal_level = replica
archive_mode = on
archive_timeout = 60
archive_command = 'test ! -f $T/wal/%f && cp %p $T/wal/%f'
CONF
$B/pg_ctl -D $T/data -l $T/primary.log -w start >/dev/null
P="$B/psql -h $T -p 25433 -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq"
$P -c "CREATE TABLE accounts_auditevent (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), summary text)"
$P -c "INSERT INTO accounts_auditevent (summary) SELECT '基础备份之前 ' || g FROM generate_series(1, 1000) g"
$B/pg_basebackup -h $T -p 25433 -U postgres -D $T/base -Fp -Xstream -c fast
$P -c "INSERT INTO accounts_auditevent (summary) SELECT '基础备份之后 ' || g FROM generate_series(1, 500) g"
sleep 1
TARGET=$($P -c "SELECT now()")
sleep 1
$P -c "DROP TABLE accounts_auditevent"
$P -c "SELECT pg_switch_wal()" >/dev/null
sleep 2
echo "已归档 WAL 段：$(ls $T/wal | wc -l) 个；恢复目标时间：$TARGET（其后删除了整张表）"
$B/pg_ctl -D $T/data -w stop >/dev/null
cp -a $T/base $T/restored
cat >> $T/restored/postgresql.conf <<CONF
port = 25434
archive_mode = off
restore_command = 'cp $T/wal/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
touch $T/restored/recovery.signal
$B/pg_ctl -D $T/restored -l $T/restored.log -w -t 120 start >/dev/null
R="$B/psql -h $T -p 25434 -U postgres -d postgres -Atq"
for _ in $(seq 1 30); do [ "$($R -c 'SELECT pg_is_in_recovery()')" = f ] && break; sleep 1; done
rows=$($R -c 'SELECT count(*) FROM accounts_auditevent')
echo "恢复后行数：$rows（应为 1500）；最后一行：$($R -c 'SELECT summary FROM accounts_auditevent ORDER BY id DESC LIMIT 1')"
grep -E "starting point-in-time recovery|recovery stopping|archive recovery complete" $T/restored.log
[ "$rows" = 1500 ] && echo "时间点恢复演练通过。"
