#!/usr/bin/env python3
"""Quickstart helper, standard library only.

    python3 dev.py serve   create .venv, install, migrate the SQLite database, load the demo county, serve
    python3 dev.py test    create .venv, install, run the whole test suite (TEST_DATABASE_URL selects PostgreSQL)
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".county_net-installed"


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("需要 Python 3.11 或更新版本")
    if not (BIN / "python").exists():
        print("创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("安装依赖 …", flush=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def flask_env() -> dict:
    env = dict(os.environ)
    env.setdefault("FLASK_APP", "wsgi.py")
    env.setdefault("COUNTY_NET_CONFIG", "development")
    return env


def serve() -> None:
    ensure_venv()
    env = flask_env()
    flask = BIN / "flask"
    run(flask, "db", "upgrade", env=env)
    run(flask, "demo", "load", env=env)
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "5000")
    print(f"\n清溪县信访工作网络（演示）已就绪：http://{host}:{port}\n演示账号见 README.md；按 Ctrl+C 停止。\n", flush=True)
    os.chdir(ROOT)
    os.execve(str(flask), [str(flask), "run", "--host", host, "--port", port, "--no-reload"], env)


def test(extra: list[str]) -> None:
    ensure_venv()
    env = dict(os.environ)
    args = [str(BIN / "pytest"), *extra]
    if not shutil.which(env.get("CHROMIUM", "chromium")) and env.get("COUNTY_NET_REQUIRE_BROWSER") != "1":
        # Browser tests need Debian's chromium; CI installs it and sets COUNTY_NET_REQUIRE_BROWSER=1.
        print("未找到 chromium：本次不运行浏览器测试（apt-get install chromium 后即可运行）", flush=True)
        args += ["-m", "not browser"]
    os.chdir(ROOT)
    os.execve(args[0], args, env)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        serve()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
