"""Documents as PDF files, printed by a headless Chromium on the server when one is configured (with CJK fonts
installed, e.g. Debian's fonts-noto-cjk). Without it the A4 pages still print from the browser."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer"]


class PdfUnavailable(RuntimeError):
    pass


def browser() -> str | None:
    configured = current_app.config.get("PDF_BROWSER")
    if configured == "":
        return None  # switched off
    return shutil.which(configured or "chromium")


def render_pdf(html: str, assets: dict[str, bytes] | None = None) -> bytes:
    """Print a self-contained HTML page (no external resources) to PDF. `assets`: files written beside the page
    (e.g. the scripts that draw its charts), named relatively in it; Chromium prints after the load event."""
    executable = browser()
    if executable is None:
        raise PdfUnavailable("服务器未配置 PDF 打印组件，请使用浏览器“打印”另存为 PDF")
    with tempfile.TemporaryDirectory(prefix="county_net_pdf_") as folder:
        source, target = Path(folder) / "document.html", Path(folder) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        for name, content in (assets or {}).items():
            (Path(folder) / Path(name).name).write_bytes(content)
        profile = Path(folder) / "profile"
        try:
            subprocess.run([executable, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}",
                            source.as_uri()], check=True, capture_output=True, timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            current_app.logger.error("PDF printing failed: %s", exc)
            raise PdfUnavailable("PDF 生成失败，请使用浏览器“打印”另存为 PDF") from exc
        if not target.exists():
            raise PdfUnavailable("PDF 生成失败，请使用浏览器“打印”另存为 PDF")
        return target.read_bytes()


def pdf_download(html: str, filename: str, assets: dict[str, bytes] | None = None):
    """The printed document as a file download; 409 with the reason when no browser can print here."""
    from urllib.parse import quote

    from flask import Response

    from county_net.core.errors import Conflict

    try:
        data = render_pdf(html, assets=assets)
    except PdfUnavailable as exc:
        raise Conflict(str(exc))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
