"""Write the data files of the bad-input corpus (tests/etl/corpus/<case>/...). Run it again after changing a case:

    .venv/bin/python tests/etl/corpus/make_corpus.py

It writes only the inputs. Each case's expect.toml is written by hand (what the user must see), never generated:
the test compares the load with it. Many inputs are bytes that an editor would silently fix (a BOM, UTF-16, latin-1,
NUL, a quote never closed), hence a script rather than hand-made files. docs/bad-input.md describes the corpus.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

CORPUS = Path(__file__).resolve().parent

# Three good customers, for cases about other entities.
CUSTOMERS = "customer_id,sign_up_date,lifetime_value\nC1,2024-01-10,1200\nC2,2024-02-20,300\nC3,2024-03-30,50\n"
REVIEWS_HEADER = "review_id,customer_id,review_date,review_rating,review_text\n"
MB_TEXT = ("All work and no play makes a very long review. " * 20_834)[:1_000_001]  # 1,000,001 characters


def cases() -> dict[str, dict[str, bytes | str]]:
    """case name -> {path inside the case folder: content (str is written as UTF-8)}."""
    out: dict[str, dict[str, bytes | str]] = {}

    # ---------------------------------------------------------------- JSON structure
    out["json_truncated_mid_object"] = {"source/customers.json":
        '[{"customer_id": "C1", "sign_up_date": "2024-01-10"},\n {"customer_id": "C2", "sign_up_date"'}
    out["json_truncated_mid_string"] = {"source/customers.json":
        '[{"customer_id": "C1", "sign_up_date": "2024-01-10"}, {"customer_id": "C2'}
    out["json_truncated_mid_array"] = {"source/customers.json":
        '[\n  {"customer_id": "C1", "sign_up_date": "2024-01-10"},\n'
        '  {"customer_id": "C2", "sign_up_date": "2024-02-20"}\n'}
    out["json_trailing_comma"] = {"source/customers.json":
        '[{"customer_id": "C1", "sign_up_date": "2024-01-10"},]'}
    out["json_file_holding_csv"] = {"source/customers.json": CUSTOMERS}
    out["json_wrapper_object"] = {"source/customers.json":
        '{\n  "customers": [\n    {"customer_id": "C1", "sign_up_date": "2024-01-10"}\n  ]\n}\n'}
    out["jsonl_bad_lines"] = {
        "source/customers.jsonl":
            '{"customer_id": "C1", "sign_up_date": "2024-01-10"}\n'
            '{"customer_id": "C2", "sign_up_date": "2024-02-20"\n'
            '{"customer_id": "C3", "sign_up_date": "2024-03-30"}\n',
        "source/reviews.jsonl":
            '{"review_id": "R1", "customer_id": "C1", "review_date": "2024-05-01", "review_rating": 5, '
            '"review_text": "Great"}\n'
            '{"review_id": "R2", "customer_id": "C3", "review_date": "2024-05-02", "review_rating": 4, '
            '"review_text": "Good"}\n'
            '{"review_id": "R3", "customer_id": "C1", "review_da',
    }
    review = {"review_id": "R1", "customer_id": "C1", "review_date": "2024-05-01", "review_rating": 5,
              "review_text": "Great"}
    out["json_records_not_objects"] = {
        "source/customers.csv": CUSTOMERS,
        "source/reviews.json": json.dumps([review, None, 42, "R3", ["R4"], True]),
        "source/tickets.json": '[null, "T1"]',
        "source/interactions.json": "[]",
    }

    # ---------------------------------------------------------------- empty files
    out["empty_file"] = {"source/customers.csv": b""}
    out["empty_child_file"] = {"source/customers.csv": CUSTOMERS, "source/reviews.json": b""}
    out["whitespace_only_json"] = {"source/customers.json": "  \n\t\n  "}
    out["whitespace_only_csv"] = {"source/customers.csv": "   \n  \n"}
    out["header_only"] = {
        "source/customers.csv": CUSTOMERS,
        "source/tickets.csv": "ticket_id,customer_id,ticket_date,ticket_category,ticket_description\n",
        "source/orders.csv": "order_id,customer_id,order_date,amount\n\n\n",
    }

    # ---------------------------------------------------------------- encodings
    named = "customer_id,sign_up_date,customer_name\nC1,2024-01-10,José\nC2,2024-02-20,Zoë\nC3,2024-03-30,Søren\n"
    out["utf8_bom"] = {
        "source/customers.csv": "\ufeff" + named,
        "source/reviews.json": "\ufeff" + json.dumps([review], ensure_ascii=False),
    }
    notes = [{"interaction_id": "I1", "customer_id": "C1", "interaction_date": "2024-04-01T09:00:00",
              "interaction_type": "call", "interaction_notes": "Très bien, merci"}]
    out["utf16_bom"] = {
        "source/customers.csv": named.encode("utf-16"),  # little-endian with its byte order mark
        "source/interactions.json": b"\xfe\xff" + json.dumps(notes, ensure_ascii=False).encode("utf-16-be"),
    }
    out["utf16_without_bom"] = {"source/customers.csv": CUSTOMERS.encode("utf-16-le")}
    out["latin1_bytes"] = {
        "source/customers.csv": b"customer_id,sign_up_date,customer_name\nC1,2024-01-10,Ana\n"
                                b"C2,2024-02-20,Jos\xe9\nC3,2024-03-30,Zoe\nC\xe94,2024-04-01,Eve\n",
        "source/reviews.json": b'[{"review_id": "R1", "customer_id": "C1", "review_date": "2024-05-01", '
                               b'"review_rating": 5, "review_text": "Great"},\n'
                               b' {"review_id": "R2", "customer_id": "C3", "review_date": "2024-05-01", '
                               b'"review_rating": 4, "review_text": "Tr\xe8s bien"}]',
    }
    out["nul_bytes"] = {
        "source/customers.csv": b"customer_id,sign_up_date,customer_name\nC1,2024-01-10,Ana\n"
                                b"C2,2024-02-20,Jo\x00se\nC3,2024-03-30,Zoe\n",
        "source/interactions.json": json.dumps([
            {**notes[0], "interaction_notes": "fine"},
            {**notes[0], "interaction_id": "I2", "interaction_notes": "abc\u0000def"}]),
    }
    out["mapping_options"] = {
        "kunden.csv": "Kundennummer;Beitritt;Name\nK1;10.01.2024;M\u00fcller\nK2;20.02.2024;Stra\u00dfer\n"
                      .encode("latin-1"),
        "mapping.toml": '[[files]]\npath = "kunden.csv"\nentity = "customers"\ndelimiter = ";"\n'
                        'encoding = "latin-1"\ndate_format = "%d.%m.%Y"\n[files.columns]\n'
                        'customer_id = "Kundennummer"\nsign_up_date = "Beitritt"\ncustomer_name = "Name"\n',
    }

    # ---------------------------------------------------------------- CSV structure
    out["csv_unbalanced_quote"] = {"source/customers.csv":
        'customer_id,sign_up_date,customer_name\nC1,2024-01-10,Ana\nC2,2024-02-20,"Jose\nC3,2024-03-30,Zoe\n'}
    out["csv_field_counts"] = {
        "source/customers.csv": "customer_id,sign_up_date,lifetime_value\nC1,2024-01-10,1200\n"
                                "C2,2024-02-20,300,extra\nC3,2024-03-30\nC4,2024-04-01,10\n",
        # a quoted value over two lines in the very last field of the file is fine (not an unclosed quote)
        "source/interactions.csv": "interaction_id,customer_id,interaction_date,interaction_type,interaction_notes\n"
                                   "I1,C1,2024-04-01,call,short\n"
                                   'I2,C4,2024-04-02,email,"line one\nline two"\n',
    }
    out["csv_semicolon_delimiter"] = {"source/customers.csv": CUSTOMERS.replace(",", ";")}
    # SQL Server exports bracket their column names
    out["csv_bracketed_header"] = {"source/customers.csv": "[customer_id],[sign_up_date]\nC1,2024-01-10\n"}
    out["csv_duplicate_header"] = {"source/customers.csv": "customer_id,sign_up_date,customer_id\nC1,2024-01-10,C1\n"}

    # ---------------------------------------------------------------- wrong types
    out["wrong_types_csv"] = {"source/customers.csv": "\n".join([
        "customer_id,sign_up_date,products_owned,lifetime_value",
        "C1,2024-01-10,2,1200",
        "C2,2024-02-20,yes,300",
        "C3,2024-03-30,1,lots",
        "C4,2024-04-01,2.5,10",
        'C5,2024-04-02,1,"1,200.50"',
        "C6,yesterday,1,10",
        "C7,2024-04-03,1e300,10",
        "C8,2024-04-04,99999999999999999999,10",
        "C9,2024-04-05,3.0,10",
        "C10,2024-04-06,1,N/A",
        "C11,2024-04-07,-1,10",
    ]) + "\n"}
    out["wrong_types_json"] = {"source/customers.json": "[\n" + ",\n".join([
        '{"customer_id": "C1", "sign_up_date": "2024-01-10", "lifetime_value": 1200.5, "products_owned": "3"}',
        '{"customer_id": "C2", "sign_up_date": "2024-02-20", "lifetime_value": true}',
        '{"customer_id": "C3", "sign_up_date": "2024-03-30", "customer_name": {"first": "Ana"}}',
        '{"customer_id": "C4", "sign_up_date": "2024-04-01", "segment": ["SMB", "Mid"]}',
        '{"customer_id": "C5", "sign_up_date": "2024-04-02", "lifetime_value": NaN}',
        '{"customer_id": "C6", "sign_up_date": "2024-04-03", "lifetime_value": Infinity}',
        '{"customer_id": "C7", "sign_up_date": "2024-04-04", "lifetime_value": 1e400}',
        '{"customer_id": "C8", "sign_up_date": 1704844800}',
        '{"customer_id": "C9", "sign_up_date": "2024-04-05", "products_owned": false}',
        '{"customer_id": 10, "sign_up_date": "2024-04-06"}',
    ]) + "\n]\n"}
    out["wrong_types_parquet"] = {"source/customers.parquet": _parquet(pa.table({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "sign_up_date": pa.array([date(2024, 1, 10), date(2024, 2, 20), date(2024, 3, 30), date(2024, 4, 1)]),
        "products_owned": [1.0, 2.5, 1.0, 1.0],
        "lifetime_value": ["100", "200", "lots", "-5"],
    }))}
    good = _parquet(pa.table({"customer_id": ["C1", "C2"], "sign_up_date": ["2024-01-10", "2024-02-20"]}))
    out["parquet_truncated"] = {"source/customers.parquet": good[: len(good) // 2]}

    # ---------------------------------------------------------------- missing columns and values
    out["missing_required_column_csv"] = {"source/customers.csv": "customer_id,lifetime_value\nC1,1200\n"}
    out["missing_required_column_json"] = {
        "source/customers.csv": CUSTOMERS,
        "source/reviews.json": json.dumps([{k: v for k, v in review.items() if k != "review_rating"}]),
    }
    out["missing_required_values"] = {
        "source/customers.csv": CUSTOMERS,
        "source/reviews.csv": REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\nR2,C1,2024-05-02,,Meh\n"
                                               "R3,C2,2024-05-03,4,\nR4,,2024-05-04,3,Whose?\n",
        "source/tickets.json": json.dumps([
            {"ticket_id": "T1", "customer_id": "C1", "ticket_date": "2024-06-01", "ticket_category": "billing",
             "ticket_description": "Charged twice"},
            {"ticket_id": "T2", "customer_id": "C2", "ticket_date": "2024-06-02",
             "ticket_description": "No category"}]),
    }
    out["no_customers_file"] = {"source/reviews.csv": REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\n"}
    out["customers_as_xlsx"] = {"source/customers.xlsx": b"PK\x03\x04 not really a workbook",
                                "source/reviews.csv": REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\n"}
    out["two_files_one_entity"] = {
        "source/customers.csv": CUSTOMERS,
        "source/interactions.csv": "customer_id,interaction_date,interaction_type\nC1,2024-04-01,call\n",
        "source/customer_interactions.json": '[{"customer_id": "C1", "interaction_date": "2024-04-01", '
                                             '"interaction_type": "call"}]',
    }

    # ---------------------------------------------------------------- dates
    interactions_header = "interaction_id,customer_id,interaction_date,interaction_type\n"
    out["mixed_date_formats"] = {
        "source/customers.csv": CUSTOMERS,
        "source/interactions.csv": interactions_header + "".join(
            f"I{i},C1,{d},call\n" for i, d in enumerate([
                "2024-04-01T09:30:00", "2024-04-02", "04/03/2024", "3 April 2024", "2024-04-04 10:00",
                "20240405", "2024/04/06", '"Apr 7, 2024"', "2024-04-08T10:00:00.123456"], start=1)),
    }
    out["dates_out_of_range"] = {"source/customers.csv": "customer_id,sign_up_date\n" + "".join(
        f"C{i},{d}\n" for i, d in enumerate([
            "2024-01-10", "2099-01-01", "1969-12-31", "1970-01-01", "1900-01-01", "2024-02-31", "2023-02-29",
            "2024-02-29", "2024-13-01", "9999-12-31", "0001-01-01"], start=1))}
    out["time_zones"] = {
        "source/customers.csv": "customer_id,sign_up_date\nC1,2024-01-10T23:30:00-05:00\nC2,2024-02-20\n",
        "source/interactions.csv": interactions_header + "".join(
            f"I{i},C1,{d},call\n" for i, d in enumerate([
                "2024-03-01T23:30:00-05:00", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00+02:00",
                "2024-03-01T10:00:00", "2024-03-01T10:00:00+0530"], start=1)),
    }
    out["date_format_mismatch"] = {
        "customers.csv": "id,joined\nC1,10/01/2024\nC2,20/02/2024\nC3,2024-03-30\n",
        "orders.csv": "order,customer,date,total\nO1,C1,01/31/2024,10\nO2,C2,02/15/2024,20\n",
        "mapping.toml": '[[files]]\npath = "customers.csv"\nentity = "customers"\ndate_format = "%d/%m/%Y"\n'
                        '[files.columns]\ncustomer_id = "id"\nsign_up_date = "joined"\n\n'
                        '[[files]]\npath = "orders.csv"\nentity = "orders"\ndate_format = "%Y-%m-%d"\n'
                        '[files.columns]\norder_id = "order"\ncustomer_id = "customer"\norder_date = "date"\n'
                        'amount = "total"\n',
    }

    # ---------------------------------------------------------------- ratings, amounts, huge numbers
    out["ratings"] = {
        "source/customers.csv": CUSTOMERS,
        "source/reviews.csv": REVIEWS_HEADER + "".join(
            f"R{i},C1,2024-05-01,{r},Some text\n" for i, r in enumerate(
                ["5", "0", "6", "4.5", "five", "-1", "1", " 3 ", "1e300", "3.0"], start=1)),
    }
    out["amounts"] = {
        "source/customers.csv": CUSTOMERS,
        "source/orders.csv": "order_id,customer_id,order_date,amount,quantity\n" + "".join(
            f"O{i},C1,2024-06-01,{a},{q}\n" for i, (a, q) in enumerate([
                ("19.99", "1"), ("-19.99", "1"), ("-1e12", "1"), ("1e300", "1"), ("NaN", "1"),
                ("Infinity", "1"), ("-Infinity", "1"), ('"1,234.50"', "1"), ("$12", "1"),
                ("999999999999.99", "1"), ("10", "99999999999999999999"), ("", "1"), ("10", "NA")], start=1)),
    }

    # ---------------------------------------------------------------- duplicates
    out["duplicates_within_file"] = {
        "source/customers.csv": "customer_id,sign_up_date,lifetime_value\nC1,2024-01-10,1200\nC2,2024-02-20,300\n"
                                "C1,2024-01-10,1200\nC2,2024-02-21,999\n",
        "source/reviews.csv": REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\nR1,C2,2024-05-02,1,Awful\n",
    }
    orders_header = "order_id,customer_id,order_date,amount\n"
    out["duplicates_across_files"] = {
        "customers.csv": CUSTOMERS,
        "orders_2024.csv": orders_header + "O1,C1,2024-06-01,10\nO2,C2,2024-06-02,20\n",
        "orders_2025.csv": orders_header + "O2,C2,2024-06-02,20\nO3,C3,2025-01-05,30\nO1,C3,2025-01-06,99\n",
        "mapping.toml": '[[files]]\npath = "customers.csv"\nentity = "customers"\n\n'
                        '[[files]]\npath = "orders_2024.csv"\nentity = "orders"\n\n'
                        '[[files]]\npath = "orders_2025.csv"\nentity = "orders"\n',
    }

    # ---------------------------------------------------------------- orphans
    out["orphans"] = {
        "source/customers.csv": "customer_id,sign_up_date\nC1,2024-01-10\nC2,2024-02-20\nC3,not a date\n",
        "source/users.csv": "user_id,customer_id\nU1,C1\nU2,GHOST\n",
        "source/interactions.csv": interactions_header + 'I1,C1,2024-04-01,call\nI2,GHOST,2024-04-01,call\n'
                                                         'I3,c1,2024-04-01,call\nI4," C1 ",2024-04-01,call\n',
        "source/reviews.csv": REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\nR2,GHOST,2024-05-01,1,Who?\n",
        "source/tickets.csv": "ticket_id,customer_id,ticket_date,ticket_category,ticket_description\n"
                              "T1,C1,2024-06-01,billing,Charged twice\nT2,C3,2024-06-01,billing,Also charged\n",
        "source/usage_events.csv": "user_id,customer_id,event_date,feature_name\nU1,C1,2024-06-01,search\n"
                                   "U1,GHOST,2024-06-01,search\nU2,C1,2024-06-01,search\nU9,C2,2024-06-01,search\n",
        "source/orders.csv": orders_header + "O1,C1,2024-06-01,10\nO2,GHOST,2024-06-01,10\n",
    }

    # ---------------------------------------------------------------- long texts
    out["huge_texts"] = {
        "source/customers.csv": "customer_id,sign_up_date,customer_name\nC1,2024-01-10,Ana\nC2,2024-02-20,Bo\n"
                                f"C3,2024-03-30,Cy\nC4,2024-04-01,{'N' * 5_000}\n",
        "source/reviews.csv": (REVIEWS_HEADER + "R1,C1,2024-05-01,5,Great\n" + f"R2,C2,2024-05-01,4,{MB_TEXT}\n")
        .encode() + b"R3,C3,2024-05-01,4,Tr\xe8s bien\n",
        "source/interactions.jsonl": "\n".join(json.dumps(
            {"interaction_id": f"I{i}", "customer_id": "C1", "interaction_date": "2024-04-01",
             "interaction_type": "call", "interaction_notes": text}) for i, text in [(1, "short"), (2, MB_TEXT)]),
    }

    # ---------------------------------------------------------------- formula-looking cells (CSV injection)
    out["formula_cells"] = {
        "source/customers.csv": "customer_id,sign_up_date,customer_name\n"
                                "C1,2024-01-10,=cmd|' /C calc'!A0\nC2,2024-02-20,+SUM(1)\nC3,2024-03-30,-2+3\n"
                                'C4,2024-04-01,@x\nC5,2024-04-02,"\t=1+1"\nC6,2024-04-03,Plain name\n',
        "source/interactions.csv": "interaction_id,customer_id,interaction_date,interaction_type,agent_id,"
                                   "interaction_notes\n"
                                   'I1,C1,2024-04-01,call,A1,"=HYPERLINK(""http://evil.example/"",""click"")"\n'
                                   'I2,C2,2024-04-02,call,@SUM(A1),"\r=1+2"\n'
                                   "I3,C3,2024-04-03,+call,A3,-5\n"
                                   "I4,C6,2024-04-04,call,A4,fine\n",
    }

    # ---------------------------------------------------------------- mapping files
    invoices = "InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice\n536365,C1,2024-06-01,6,2.55\n"
    customers_src = "CustomerID,Joined\nC1,2024-01-10\n"

    def mapping(body: str) -> str:
        return ('[[files]]\npath = "customers.csv"\nentity = "customers"\n'
                '[files.columns]\ncustomer_id = "CustomerID"\nsign_up_date = "Joined"\n\n' + body)

    orders = ('[[files]]\npath = "invoices.csv"\nentity = "orders"\n{extra}[files.columns]\norder_id = "InvoiceNo"\n'
              'customer_id = "CustomerID"\norder_date = "InvoiceDate"\n[files.expressions]\n'
              'amount = "Quantity * UnitPrice"\n')
    base = {"customers.csv": customers_src, "invoices.csv": invoices}
    out["mapping_missing_column"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        'customer_id = "CustomerID"\norder_date', 'customer_id = "CustNo"\norder_date')}
    out["mapping_unknown_entity"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        'entity = "orders"', 'entity = "invoices"')}
    out["mapping_path_outside_folder"] = {"customers.csv": customers_src, "mapping/mapping.toml":
        '[[files]]\npath = "../customers.csv"\nentity = "customers"\n'
        '[files.columns]\ncustomer_id = "CustomerID"\nsign_up_date = "Joined"\n'}
    out["mapping_absolute_path"] = {"mapping.toml":
        '[[files]]\npath = "/etc/hostname"\nentity = "customers"\n'}
    out["mapping_unknown_target_column"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        'order_id = "InvoiceNo"', 'order_id = "InvoiceNo"\nfavourite_colour = "Colour"')}
    out["mapping_expression_injection"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        '"Quantity * UnitPrice"', '"__import__(\'os\').system(\'id\')"')}
    out["mapping_invalid_toml"] = {**base, "mapping.toml": '[[files]\npath = "customers.csv"\n'}
    out["mapping_data_file_missing"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        'path = "invoices.csv"', 'path = "invoices_2024.csv"')}
    out["mapping_unknown_encoding"] = {**base, "mapping.toml": mapping(orders.format(extra='encoding = "utf-99"\n'))}
    out["mapping_bad_delimiter"] = {**base, "mapping.toml": mapping(orders.format(extra='delimiter = ";;"\n'))}
    out["mapping_not_utf8"] = {**base, "mapping.toml": ("# Kunden und Rechnungen f\u00fcr 2024\n"
                                                        + mapping(orders.format(extra=""))).encode("latin-1")}
    out["mapping_column_not_text"] = {**base, "mapping.toml": mapping(orders.format(extra="")).replace(
        'order_id = "InvoiceNo"', "order_id = 5")}
    out["mapping_bad_date_format"] = {**base, "mapping.toml": mapping(orders.format(extra='date_format = "%Q"\n'))}
    return out


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def write(corpus: Path = CORPUS) -> list[str]:
    """(Re)write every case's inputs; a case folder keeps its expect.toml. Returns the case names."""
    written = cases()
    for name, files in written.items():
        folder = corpus / name
        for old in [p for p in folder.iterdir() if p.name != "expect.toml"] if folder.exists() else []:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        for relative, content in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return sorted(written)


if __name__ == "__main__":
    names = write()
    missing = [n for n in names if not (CORPUS / n / "expect.toml").exists()]
    note = f"; without expect.toml: {', '.join(missing)}" if missing else ""
    print(f"{len(names)} cases written to {CORPUS}{note}")
