"""Bank file imports at 100,000 rows: one row per format (CSV, OFX, QIF, CAMT.053).

Each format runs in a child process of its own (so that its memory is its own): a fresh tenant, a
generated file (seeded; 500 merchants over three years, none in the tenant yet), then POST /api/v1/imports through
HTTP in-process (httpx ASGITransport). A file this size is over COLONY_IMPORT_BACKGROUND_KB, so the answer
is `queued` and the runner books it right after; the test transport waits for that, and the figure is
the wall time from the upload to the import's `done` (checked with GET /imports/{id}). Memory: the
child's resident set before the upload (the file is sent from disk) and its peak after, at 10,000 and at
100,000 rows. The CPU time of the process (all its threads; SQLite's work included, PostgreSQL's not) is
shown beside the wall time: on a busy machine it is the steadier figure.

Runs on a fresh SQLite file by default, or on the database of COLONY_DATABASE_URL (PostgreSQL: an empty
database; the tables are created with create_all). One line per format and size, for bench/run.py:

    import csv 100000 rows: 6.21 s (16,103 rows/s; this process's CPU 5.80 s), created 100000, memory +41.3 MB
    (baseline 212.0 MB, file 5.3 MB)

    python bench/imports.py [--rows 100000] [--formats csv,ofx,qif,camt053]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from colony.config import Environment, Settings
from colony.core import tokens
from colony.core.db import Database, create_engine
from colony.core.tenancy import Role
from colony.domains import metadata
from colony.main import create_app, tune_garbage_collector
from colony.users.models import Profile, User

FORMATS = ("csv", "ofx", "qif", "camt053")
TARGET_SECONDS = 10
MERCHANTS = [f"{word} {kind}" for word in ("Corner", "Central", "Harbor", "Maple", "Summit", "Riverside", "Union",
                                            "Golden", "Northside", "Oak", "Pioneer", "Liberty", "Lakeside", "Grand",
                                            "Bright", "Cedar", "Metro", "Elm", "Sunset", "Village", "Park", "Ridge",
                                            "Bay", "Hill", "Market")
             for kind in ("Grocer", "Cafe", "Pharmacy", "Books", "Hardware", "Bakery", "Cinema", "Garage", "Deli",
                          "Florist", "Tailor", "Gym", "Diner", "Outfitters", "Electric", "Water", "Transit",
                          "Pizzeria", "Optician", "Stationers")]
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"


def rows(count: int, seed: int) -> list[tuple[dt.date, Decimal, str, str]]:
    """(date, signed amount, merchant, bank id), oldest first; every row distinct."""
    rng = random.Random(seed)
    start = dt.date(2021, 1, 1)
    made = []
    for index in range(count):
        day = start + dt.timedelta(days=index * 1095 // count)
        cents = rng.randint(100, 250_000)
        amount = Decimal(cents).scaleb(-2) if rng.random() < 0.1 else -Decimal(cents).scaleb(-2)
        made.append((day, amount, rng.choice(MERCHANTS), f"TX{index:09d}"))
    return made


def make_file(format_: str, count: int, seed: int) -> bytes:
    data = rows(count, seed)
    if format_ == "csv":  # a German bank's layout: ';', DD.MM.YYYY, decimal comma
        lines = ["Buchungstag;Beguenstigter/Zahlungspflichtiger;Verwendungszweck;Betrag;Waehrung"]
        lines += [f"{day:%d.%m.%Y};{name};Kartenzahlung;{str(amount).replace('.', ',')};USD"
                  for day, amount, name, _ in data]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if format_ == "ofx":
        body = "".join(f"<STMTTRN>\n<TRNTYPE>{'CREDIT' if amount > 0 else 'DEBIT'}\n<DTPOSTED>{day:%Y%m%d}\n"
                       f"<TRNAMT>{amount}\n<FITID>{ref}\n<NAME>{name}\n<MEMO>POS PURCHASE\n</STMTTRN>\n"
                       for day, amount, name, ref in data)
        header = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
                  "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n")
        return (f"{header}<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
                f"<DTSERVER>20240101\n<LANGUAGE>ENG\n</SONRS>\n</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n"
                f"<TRNUID>1\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n<CURDEF>USD\n<BANKACCTFROM>\n"
                f"<BANKID>121000248\n<ACCTID>000123456789\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n<BANKTRANLIST>\n"
                f"<DTSTART>20210101\n<DTEND>20231231\n{body}</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n"
                f"</BANKMSGSRSV1>\n</OFX>\n").encode("cp1252")
    if format_ == "qif":
        return ("!Type:Bank\n" + "".join(f"D{day.month}/{day.day}/{day.year}\nT{amount}\nP{name}\nMPOS\n^\n"
                                         for day, amount, name, _ in data)).encode("utf-8")
    entries = "".join(
        f"<Ntry><Amt Ccy=\"USD\">{abs(amount)}</Amt><CdtDbtInd>{'CRDT' if amount > 0 else 'DBIT'}</CdtDbtInd>"
        f"<Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><{'Dbtr' if amount > 0 else 'Cdtr'}><Nm>{name}</Nm>"
        f"</{'Dbtr' if amount > 0 else 'Cdtr'}></RltdPties><RmtInf><Ustrd>Card payment</Ustrd></RmtInf></TxDtls>"
        f"</NtryDtls></Ntry>\n" for day, amount, name, ref in data)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            "camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2024-01-01T00:00:00</CreDtTm>"
            "</GrpHdr><Stmt><Id>BENCH-1</Id><CreDtTm>2024-01-01T00:00:00</CreDtTm><Acct><Id><IBAN>"
            "DE89370400440532013000</IBAN></Id><Ccy>USD</Ccy></Acct>\n" + entries
            + "</Stmt></BkToCstmrStmt></Document>\n").encode("utf-8")


def _status_kb(field: str) -> float:
    """A figure of /proc/self/status (VmRSS: resident now; VmHWM: the peak so far), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def child(format_: str, count: int, data_dir: Path, seed: int) -> int:
    url = os.environ.get("COLONY_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    settings = Settings(env=Environment.test, database_url=url, data_dir=data_dir, secret_key=SECRET,
                        log_level="WARNING", max_upload_mb=200, market_data="none", rates_url=None)
    schema = create_engine(settings.sqlalchemy_url)
    async with schema.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await schema.dispose()
    path = data_dir / f"bench.{format_}"
    path.write_bytes(make_file(format_, count, seed))  # sent from disk: the figures are the server's
    size = path.stat().st_size
    app = create_app(settings)
    async with LifespanManager(app):
        tune_garbage_collector()  # as `colony serve` does (the test environment leaves it alone)
        database: Database = app.state.database
        user_id = uuid.uuid4()
        async with database.sessionmaker() as session:
            session.add(User(id=user_id, email=f"bench-{user_id.hex[:8]}@example.com", role=Role.personal,
                             is_active=True, tenant_id=user_id))
            await session.flush()
            session.add(Profile(user_id=user_id, base_currency="USD"))
            await session.commit()
        token, _ = tokens.create_access_token(user_id, settings.signing_key, settings.access_token_minutes)
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            baseline = _status_kb("VmRSS")
            began, cpu_began = time.perf_counter(), time.process_time()
            with path.open("rb") as upload:
                response = await client.post("/api/v1/imports", headers=headers,
                                             files={"file": (path.name, upload)}, data={"format": format_})
            if response.status_code != 201:
                print(f"import {format_} {count} rows: failed {response.status_code} {response.text[:200]}")
                return 1
            record = (await client.get(f"/api/v1/imports/{response.json()['id']}", headers=headers)).json()
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
            peak = _status_kb("VmHWM")
        if record["status"] != "done" or record["created"] != count:
            print(f"import {format_} {count} rows: {record['status']}, created {record['created']} "
                  f"{record.get('errors', [])[:3]}")
            return 1
        print(f"import {format_} {count} rows: {elapsed:.2f} s ({count / elapsed:,.0f} rows/s; this process's CPU "
              f"{cpu:.2f} s), created {record['created']}, memory +{max(0.0, peak - baseline):.1f} MB "
              f"(baseline {baseline:.1f} MB, file {size / 1e6:.1f} MB)", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(tempfile.mkdtemp(prefix="colony-bench-imports-"))
        try:
            return asyncio.run(child(args.child, args.rows, work, args.seed))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    failed = 0
    print(f"engine: {'PostgreSQL' if os.environ.get('COLONY_DATABASE_URL', '').startswith('postgresql') else 'SQLite'}"
          f", {os.cpu_count()} CPUs, load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    for format_ in args.formats.split(","):
        for count in sorted({min(10_000, args.rows), args.rows}):
            result = subprocess.run([sys.executable, __file__, "--child", format_, "--rows", str(count),
                                     "--seed", str(args.seed)], check=False, timeout=900)
            failed |= result.returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
