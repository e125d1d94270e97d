"""Settings. Secrets come only from the environment; production refuses defaults."""
import os
from datetime import timedelta


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "sqlite:///county_net.sqlite3")
    # Accept the common libpq spelling and use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _per_process_database(url: str) -> bool:
    """An in-memory SQLite database: each process would have its own."""
    if not url.startswith("sqlite"):
        return False
    path = url.split("://", 1)[-1].split("?", 1)[0]
    return path in ("", "/", "/:memory:") or "mode=memory" in url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # The URL the running service uses; on PostgreSQL a role that owns nothing and cannot bypass RLS.
    SQLALCHEMY_DATABASE_URI = _database_url()
    # DATABASE_URL points at PgBouncer in transaction mode (docs/deploy.md): no server-side prepared statements
    # (PgBouncer before 1.21 cannot carry them between server connections), and the signed scope names the
    # backend that serves each transaction, asked for once per transaction.
    DATABASE_PGBOUNCER = os.environ.get("DATABASE_PGBOUNCER", "") == "1"
    # Owner URL for `flask db upgrade` (defaults to DATABASE_URL).
    MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL")
    # The PostgreSQL role the migrations grant table rights to.
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
    TENANCY_RLS = os.environ.get("TENANCY_RLS", "1") != "0"  # acts only on PostgreSQL
    # Signs the scope published to PostgreSQL, so that SQL run through the service cannot widen its own
    # scope; `flask db upgrade` (as the owner) installs the database's copy. Production on PostgreSQL
    # requires it; elsewhere it defaults to one derived from SECRET_KEY (tenancy/rls.py).
    RLS_SCOPE_KEY = os.environ.get("RLS_SCOPE_KEY")
    # Seconds a signed scope stays valid on its connection (republished after half of it).
    RLS_SCOPE_TTL = _env_int("RLS_SCOPE_TTL", 60)
    # Benchmark switch (bench/run measures what the ORM tenant criteria cost); production refuses it.
    TENANCY_ORM_CRITERIA = os.environ.get("COUNTY_NET_BENCH_NO_CRITERIA", "") != "1"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    AUTH_IDLE_MINUTES = _env_int("AUTH_IDLE_MINUTES", 30)
    AUTH_ABSOLUTE_HOURS = _env_int("AUTH_ABSOLUTE_HOURS", 12)
    API_TOKEN_HOURS = _env_int("API_TOKEN_HOURS", 8)
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead of a clock

    # argon2id, OWASP minimum: 19 MiB, t=2, p=1.
    ARGON2_MEMORY_KIB = 19456
    ARGON2_TIME_COST = 2
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 10

    # Number of reverse proxies in front (X-Forwarded-For is trusted only that deep).
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    # Throttling counters are shared by every process, never kept in a worker's memory: in Redis when this is
    # set (redis://, rediss:// or unix://), otherwise in the database (table throttle_counters).
    THROTTLE_REDIS_URL = os.environ.get("THROTTLE_REDIS_URL") or os.environ.get("REDIS_URL") or None
    # Periodic jobs on RQ (county_net/jobs) when set; without it they run from cron or a systemd timer.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    THROTTLE_REDIS_PREFIX = os.environ.get("THROTTLE_REDIS_PREFIX", "county_net:throttle:")
    # Failed logins only (a successful login takes its attempt back); docs/security.md says why these figures.
    # One account from one address:
    LOGIN_LIMIT_ACCOUNT_ADDRESS = os.environ.get("LOGIN_LIMIT_ACCOUNT_ADDRESS", "5 per minute; 20 per hour")
    # One address, whatever the accounts:
    LOGIN_LIMIT_ADDRESS = os.environ.get("LOGIN_LIMIT_ADDRESS", "20 per minute; 200 per hour")
    # One account from all addresses (ASVS 2.2.1: under 100 an hour). Once reached, an address that has failed
    # in this window is refused; one that has not may still try, so an attacker cannot lock the owner out.
    LOGIN_LIMIT_ACCOUNT_CEILING = os.environ.get("LOGIN_LIMIT_ACCOUNT_CEILING", "50 per hour")
    # The petitioner's public query page, every query and rating, per address.
    PUBLIC_QUERY_LIMIT = os.environ.get("PUBLIC_QUERY_LIMIT", "10 per minute; 60 per hour")

    # Audit chain key; defaults to one derived from SECRET_KEY (development and tests only).
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY")
    # Audit checkpoints: the chain's head (seq, hash, time, HMAC) kept outside the database, so rows deleted from
    # the end of the table are noticed by `flask audit verify` (docs/operations.md). The file gets one JSON line
    # per checkpoint, appended; unset = instance/audit-checkpoints.log, a relative path is under the instance
    # folder, "" switches the file off. Every checkpoint also goes to the log `county_net.audit.checkpoint`.
    AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE")
    # An extra sink, "package.module:function", called with each checkpoint (e.g. a remote syslog or object store).
    AUDIT_CHECKPOINT_SINK = os.environ.get("AUDIT_CHECKPOINT_SINK", "")
    # After a commit that appended audit records, a worker writes a checkpoint once this many records were
    # appended since its last one, or this many seconds have passed; 1 = after every such commit.
    AUDIT_CHECKPOINT_EVERY_RECORDS = _env_int("AUDIT_CHECKPOINT_EVERY_RECORDS", 1)
    AUDIT_CHECKPOINT_EVERY_SECONDS = _env_int("AUDIT_CHECKPOINT_EVERY_SECONDS", 60)
    # People's data: AES-256-GCM key and the keyed-hash key for exact lookup (production requires both).
    DATA_ENCRYPTION_KEY = os.environ.get("DATA_ENCRYPTION_KEY")
    LOOKUP_HMAC_KEY = os.environ.get("LOOKUP_HMAC_KEY")
    # Key rotation: the previous data keys, comma-separated, still accepted for reading until
    # `flask petitions rekey` has re-sealed everything under DATA_ENCRYPTION_KEY.
    DATA_ENCRYPTION_OLD_KEYS = os.environ.get("DATA_ENCRYPTION_OLD_KEYS", "")

    # Attachments live here, outside the database (default: instance/attachments).
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    SCREENING_UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # an uploaded 矛盾纠纷排查表 (.xlsx)
    # `flask backup` / `flask restore` (docs/operations.md). On PostgreSQL the backup reads as a role that
    # bypasses row-level security (default: MIGRATION_DATABASE_URL, then DATABASE_URL); restore writes as the owner.
    BACKUP_DATABASE_URL = os.environ.get("BACKUP_DATABASE_URL")
    BACKUP_DIR = os.environ.get("BACKUP_DIR")  # where `flask backup` without a path writes; default instance/backups
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")  # folder of pg_dump/pg_restore matching the server; "" = PATH
    # Headless Chromium for server-side PDF documents: a name on PATH or a path; "" switches it off.
    PDF_BROWSER = os.environ.get("PDF_BROWSER")
    COUNTY_NAME = os.environ.get("COUNTY_NAME", "清溪县")
    COUNTY_TIMEZONE = "Asia/Shanghai"
    API_TITLE = "county_net API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_MAX_PAGE_SIZE = 100
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    THROTTLE_LIMITS = ("LOGIN_LIMIT_ACCOUNT_ADDRESS", "LOGIN_LIMIT_ADDRESS", "LOGIN_LIMIT_ACCOUNT_CEILING",
                       "PUBLIC_QUERY_LIMIT")

    @classmethod
    def validate(cls, app) -> None:
        from county_net.core.throttle import check_settings

        check_settings(app.config, cls.THROTTLE_LIMITS)


class DevelopmentConfig(Config):
    # No SECRET_KEY in the environment: create_app keeps a random one in the instance folder.
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-not-for-production"
    # Fixed, so that a served product in the tests (production settings) signs its scope as the suite does.
    RLS_SCOPE_KEY = "test-rls-scope-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Cheap hashing keeps the suite fast; production parameters are tested separately.
    ARGON2_MEMORY_KIB = 1024
    ARGON2_TIME_COST = 1
    SQLITE_WRITE_TRIPWIRE = True  # a request that writes in a read transaction fails loudly (core/database.py)
    # A SELECT that reads a tenant table through bare columns without tenancy.visible() fails loudly.
    TENANCY_CHECK_FROMS = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    # ASVS 3.3.3: a host-only, Secure, Path=/ cookie.
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"

    @classmethod
    def validate(cls, app) -> None:
        for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "DATA_ENCRYPTION_KEY", "LOOKUP_HMAC_KEY"):
            if not app.config.get(name):
                raise RuntimeError(f"生产环境必须设置 {name} 环境变量")
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") \
                and len(app.config.get("RLS_SCOPE_KEY") or "") < 16:
            raise RuntimeError("生产环境使用 PostgreSQL 时必须设置 RLS_SCOPE_KEY 环境变量（至少 16 个字符）")
        if not app.config["TENANCY_ORM_CRITERIA"] and os.environ.get("COUNTY_NET_BENCHMARK") != "1":
            raise RuntimeError("生产环境不能关闭租户过滤（COUNTY_NET_BENCH_NO_CRITERIA 只用于性能测试）")
        super().validate(app)
        if not app.config.get("THROTTLE_REDIS_URL") and _per_process_database(app.config["SQLALCHEMY_DATABASE_URI"]):
            # Login counters would live in each worker's private in-memory database: four workers, four counts.
            raise RuntimeError("生产环境的登录限流计数必须由所有进程共享：请使用数据库文件或 PostgreSQL，或设置 THROTTLE_REDIS_URL")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
