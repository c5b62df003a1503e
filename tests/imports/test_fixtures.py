"""Each format imports its fixture files exactly (dates, signed amounts, currency, description), and a
second import of the same file creates nothing."""

import httpx
import pytest

from tests.factories import MakeUser
from tests.imports.kit import booked, fixture, imported, shown

OUT, IN = "expense", "income"
# file, the user's base currency, the currency given for rows whose file names none, what it books
CASES: dict[str, tuple[str, str | None, list[tuple[str, str, str, str, str]]]] = {
    "checking_v1.ofx": ("USD", None, [
        ("2024-03-02", OUT, "38.40", "USD", "SHELL OIL 57442"),
        ("2024-03-05", IN, "1850.00", "USD", "STATE OF OHIO TAX REFUND"),
        ("2024-03-11", OUT, "112.96", "USD", "JOHNSON & SONS HARDWARE"),  # an evening posting stays on its day
        ("2024-03-20", OUT, "75.00", "USD", "CHECK 2211"),
    ]),
    "creditcard_v2.ofx": ("EUR", None, [
        ("2024-03-03", OUT, "54.20", "EUR", "Librería Central"),
        ("2024-03-09", OUT, "18.00", "EUR", "Café de Flore"),
        ("2024-03-14", OUT, "42.99", "USD", "Steam Games"),  # its own CURRENCY aggregate
        ("2024-03-25", IN, "250.00", "EUR", "Payment - Thank you"),
    ]),
    "us_checking.qif": ("USD", None, [
        ("2024-03-01", OUT, "4.75", "USD", "BLUE BOTTLE COFFEE #112"),
        ("2024-03-01", OUT, "4.75", "USD", "BLUE BOTTLE COFFEE #112"),  # two coffees: two transactions
        ("2024-03-04", IN, "2450.00", "USD", "ACME CORP PAYROLL"),
        ("2024-03-15", OUT, "1200.00", "USD", "PARKSIDE APARTMENTS"),
        ("2024-03-28", OUT, "62.18", "USD", "WHOLE FOODS MARKET"),
    ]),
    "eu_savings.qif": ("EUR", None, [
        ("2024-04-02", OUT, "23.90", "EUR", "Stadtwerke München"),
        ("2024-04-15", IN, "1250.00", "EUR", "Arbeitgeber GmbH"),
        ("2024-04-30", OUT, "7.50", "EUR", "Bäckerei Schmidt"),
    ]),
    "statement.camt053.xml": ("EUR", None, [
        ("2024-04-02", IN, "3150.00", "EUR", "Nordlicht Software GmbH"),
        ("2024-04-05", OUT, "89.90", "EUR", "Stadtwerke Musterstadt"),  # a batch entry: one row per detail
        ("2024-04-05", OUT, "45.50", "EUR", "Telekom Deutschland"),
        ("2024-04-05", OUT, "50.00", "EUR", "Sportverein Blau-Weiss e.V."),
        ("2024-04-09", OUT, "23.87", "EUR", "REWE Markt GmbH"),  # the pending entry is not booked
    ]),
    "de_sparkasse.csv": ("EUR", None, [
        ("2024-03-28", OUT, "41.37", "EUR", "EDEKA Südstadt"),
        ("2024-04-01", OUT, "1150.00", "EUR", "Hausverwaltung Köhler & Partner"),
        ("2024-04-02", IN, "19.99", "EUR", "Versandhaus Weber"),
        ("2024-04-15", IN, "3150.00", "EUR", "Nordlicht Software GmbH"),
    ]),
    "de_dkb.csv": ("EUR", None, [
        ("2024-04-03", OUT, "10.99", "EUR", "Spotify AB"),
        ("2024-04-10", OUT, "89.90", "EUR", "Deutsche Bahn Fernverkehr"),
        ("2024-04-10", OUT, "89.90", "EUR", "Deutsche Bahn Fernverkehr"),
        ("2024-04-25", IN, "250.00", "EUR", "Erika Mustermann"),
    ]),
    "fr_banque.csv": ("EUR", None, [
        ("2024-04-02", OUT, "32.15", "EUR", "CB MONOPRIX PARIS 11"),
        ("2024-04-05", OUT, "850.00", "EUR", "VIR SEPA LOYER AVRIL"),
        ("2024-04-12", OUT, "61.20", "EUR", "PRLV SEPA EDF"),
        ("2024-04-26", IN, "2480.00", "EUR", "VIR SALAIRE AVRIL"),
    ]),
    "es_banco.csv": ("EUR", None, [
        ("2024-04-03", OUT, "56.34", "EUR", "COMPRA TARJ. MERCADONA VALENCIA"),
        ("2024-04-08", OUT, "48.90", "EUR", "RECIBO IBERDROLA CLIENTES"),
        ("2024-04-15", IN, "1780.00", "EUR", "TRANSFERENCIA NOMINA ABRIL"),
        ("2024-04-21", IN, "15.00", "EUR", "BIZUM DE LUCIA FERNANDEZ"),
    ]),
    "nl_ing.csv": ("EUR", None, [
        ("2024-04-02", OUT, "23.45", "EUR", "Albert Heijn 1402"),
        ("2024-04-05", OUT, "112.00", "EUR", "NS Groep"),
        ("2024-04-25", IN, "2950.00", "EUR", "Werkgever B.V."),
    ]),
    "us_chase.csv": ("USD", None, [
        ("2024-04-02", OUT, "47.82", "USD", "TRADER JOE'S #552 BROOKLYN NY"),
        ("2024-04-13", OUT, "96.40", "USD", "CON ED OF NY INTELL CK"),
        ("2024-04-15", IN, "2875.00", "USD", "ACME CORP PAYROLL PPD ID: 9876543210"),
        ("2024-04-22", OUT, "1250.00", "USD", "CHECK 1187"),
    ]),
    "uk_nationwide.csv": ("EUR", "GBP", [
        ("2024-04-01", OUT, "38.00", "GBP", "Thames Water"),
        ("2024-04-06", OUT, "27.64", "GBP", "Tesco Stores 3321"),
        ("2024-04-26", IN, "2140.00", "GBP", "Hartley & Co Ltd"),
    ]),
}
FORMATS = {"ofx": "ofx", "qif": "qif", "xml": "camt053", "csv": "csv"}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_fixture_imports_exactly_and_a_second_time_creates_nothing(
        name: str, client: httpx.AsyncClient, make_user: MakeUser) -> None:
    base, currency, expected = CASES[name]
    owner = await make_user(base_currency=base)
    report = await imported(client, owner, fixture(name), name, currency=currency)
    assert report["format"] == FORMATS[name.rsplit(".", 1)[1]]  # detected
    assert (report["status"], report["rows"], report["created"], report["skipped_duplicates"]) == (
        "done", len(expected), len(expected), 0), report
    assert sorted(shown(await booked(client, owner))) == sorted(expected)

    again = await imported(client, owner, fixture(name), name, currency=currency)
    assert (again["created"], again["skipped_duplicates"]) == (0, len(expected)), again
    assert [skip["row"] for skip in again["skipped"]] == sorted(skip["row"] for skip in again["skipped"])
    assert len(await booked(client, owner)) == len(expected)


async def test_notes_bank_ids_and_conversion(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """The memo or remittance text is kept as notes; a foreign row is converted at the rate of its date."""
    owner = await make_user(base_currency="EUR")
    await imported(client, owner, fixture("statement.camt053.xml"), "statement.xml")
    await imported(client, owner, fixture("creditcard_v2.ofx"), "card.ofx")
    rows = {row["description"]: row for row in await booked(client, owner)}
    assert rows["Stadtwerke Musterstadt"]["notes"] == "Abschlag Strom 04/2024 Kd-Nr. 773310"
    assert rows["Nordlicht Software GmbH"]["notes"] == "Gehalt April 2024"
    steam = rows["Steam Games"]
    assert (steam["currency"], steam["base_currency"]) == ("USD", "EUR")
    assert steam["amount_base"] != steam["amount"] and steam["exchange_rate"] != "1"
    assert rows["Café de Flore"]["amount_base"] == "18.00" and rows["Café de Flore"]["exchange_rate"] == "1"
