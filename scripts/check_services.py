"""Check that the PostgreSQL and Redis the tests use are reachable; say how to start them if not."""
import os
import sys
from urllib.parse import urlparse

import psycopg2
import redis

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   （或 sudo systemctl start postgresql）"
START_REDIS = (
    "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no   "
    "（或 sudo systemctl start redis-server）"
)


def main() -> int:
    failures = []
    database_url = os.environ["DATABASE_URL"]
    parsed = urlparse(database_url)
    try:
        connection = psycopg2.connect(
            host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres",
            password=parsed.password or None, dbname="postgres", connect_timeout=3,
        )
        connection.close()
    except psycopg2.Error as error:
        failures.append(f"无法连接 PostgreSQL（{parsed.hostname}:{parsed.port or 5432}）：{str(error).strip()}\n  启动方法：{START_POSTGRES}")
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        failures.append(f"无法连接 Redis（{redis_url}）：{error}\n  启动方法：{START_REDIS}")
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        print("测试需要 PostgreSQL 和 Redis，请按上面的方法启动后重试。也可用 DATABASE_URL / REDIS_URL 指定其他服务。", file=sys.stderr)
        return 1
    print(f"PostgreSQL 与 Redis 可用：{parsed.hostname}:{parsed.port or 5432}，{redis_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
