"""Write the synthetic caseload exports in tests/data/ (run this file with python).

Every name is invented ("Testchild ..."). Each file has the shape of one built-in
profile in resources/mappings/, and the set covers UTF-8, UTF-8 with a byte-order mark,
Windows-1252 with non-ASCII names, an .xlsx workbook with real date cells, an Excel
serial and TRUE/FALSE flags, and files with bad rows. Dates are all before November
2026, so they are never "in the future" for the tests' clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

MOSAIC_HEADER = [
    "Person ID", "Forename", "Surname", "DOB", "Service Area", "Team", "Worker", "Worker ID",
    "Team Manager", "Legal Status", "VTT RAG", "RAG Date", "Last Visit", "Visit By",
    "Last Virtual Visit", "Last Management Oversight", "Last VTT Review",
    "Last Risk Assessment", "Last Audit", "Case Status", "Start Date", "End Date",
    "Not In School", "Missing Episodes", "Exploitation Risk", "Edge Of Care",
    "Placement At Risk", "Placement With Parents", "Reg 24", "Unsuitable Accommodation",
    "Stepped Down",
]

# ref, forename, surname, dob, area, team, worker, worker id, manager, status, rag, rag date,
# last visit, by, virtual, oversight, vtt, risk, audit, case status, start, end, flags (9)
MOSAIC_ROWS = [
    ["100001", "Testchild", "Amberley", "14/03/2015", "North", "North Assessment 1",
     "Testworker Quill", "W1001", "Testmanager Frond", "CP Plan", "Red", "02/10/2026",
     "20/10/2026", "SW", "", "01/10/2026", "02/10/2026", "15/09/2026", "", "Open",
     "01/06/2024", "", "N", "Y", "N", "N", "N", "N", "N", "N", "N"],
    ["100002", "Testchild", "Birchwood", "02/11/2009", "North", "North Assessment 1",
     "Testworker Quill", "W1001", "Testmanager Frond", "CIN", "Amber", "11/09/2026",
     "08/10/2026", "SW", "29/09/2026", "20/09/2026", "11/09/2026", "11/09/2026",
     "03/03/2026", "Open", "15/01/2025", "", "Y", "N", "N", "Y", "N", "N", "N", "N", "N"],
    ["100003", "Testchild", "Copperfield", "30/06/2018", "Exeter", "Exeter Locality 2",
     "Testworker Sorrel", "W1002", "Testmanager Heron", "LAC", "Green", "05/05/2026",
     "12/09/2026", "Partner", "", "02/10/2026", "30/08/2026", "04/08/2026", "", "Open",
     "12/12/2022", "", "N", "N", "N", "N", "Y", "N", "N", "N", "Y"],
    ["100004", "Testchild", "Dunmore", "18/01/2027", "Exeter", "Exeter Locality 2",
     "Testworker Sorrel", "W1002", "Testmanager Heron", "Unborn", "Red", "25/10/2026",
     "27/10/2026", "SW", "", "26/10/2026", "25/10/2026", "25/10/2026", "", "Open",
     "10/10/2026", "", "N", "N", "N", "N", "N", "N", "N", "N", "N"],
    ["100005", "Testchild", "Elmstead", "09/09/2008", "South", "South Care Leavers",
     "Testworker Lupin", "W1003", "Testmanager Heron", "Care Leaver", "Green", "01/08/2026",
     "19/08/2026", "PA", "03/10/2026", "14/10/2026", "19/08/2026", "19/08/2026", "",
     "Open", "09/09/2024", "", "N", "N", "N", "N", "N", "N", "N", "Y", "N"],
    ["100006", "Testchild", "Fernhill", "21/04/2012", "South", "South Care Leavers",
     "Testworker Lupin", "W1003", "Testmanager Heron", "SGO", "Green", "15/07/2026",
     "", "", "", "", "", "", "", "Closed", "03/02/2021", "30/09/2026",
     "N", "N", "N", "N", "N", "N", "N", "N", "N"],
]

LCS_HEADER = [
    "Case No", "Child Initials", "Date of Birth", "Locality", "Team Name",
    "Allocated Worker", "Worker Code", "TM", "TM Code", "Category", "RAG", "RAG Set",
    "Last F2F", "Last Virtual", "Last Mgmt Oversight", "VTT Review", "Risk Assessment",
    "Flags",
]
LCS_ROWS = [
    ["LCS-0001", "T.A.", "04-Feb-14", "Mid & East", "Mid Safeguarding A", "Testworker Yarrow",
     "LW77", "Testmanager Wren", "LM01", "CPP", "R", "01-Oct-26", "21-Oct-26", "",
     "14-Oct-26", "01-Oct-26", "01-Oct-26", "NIS;CSE"],
    ["LCS-0002", "T.B.", "17-Aug-2011", "Mid & East", "Mid Safeguarding A",
     "Testworker Yarrow", "LW77", "Testmanager Wren", "LM01", "CIN", "A", "09-Sep-26",
     "02-Oct-26", "16-Oct-26", "01-Oct-26", "09-Sep-26", "09-Sep-26", ""],
    ["LCS-0003", "T.C.", "28-Feb-20", "Corporate Parenting", "Children in Care 1",
     "Testworker Tansy", "LW80", "Testmanager Wren", "LM01", "CLA", "G", "12-Jun-26",
     "30-Sep-26", "", "10-Oct-26", "28-Aug-26", "28-Aug-26", "PWP; SD"],
    ["LCS-0004", "T.D.", "01-Dec-05", "Corporate Parenting", "Children in Care 1",
     "Testworker Tansy", "LW80", "Testmanager Wren", "LM01", "CL", "G", "2026-07-01",
     "45900", "", "2026-10-12", "2026-09-01", "2026-09-01", "UA"],
    ["LCS-0005", "T.E.", "3/5/2016", "Mid & East", "Disabled Children East",
     "Testworker Clover", "LW91", "Testmanager Bramble", "LM02", "DCS", "G", "1/7/2026",
     "15/09/2026", "", "01/10/2026", "15/08/2026", "15/08/2026", ""],
]

CP1252_ROWS = [
    ["200001", "Zoë", "Testchild-Ångström", "01/01/2016", "North", "North Assessment 1",
     "Testworker Renée", "W2001", "Testmanager Çelik", "CIN", "Amber", "01/09/2026",
     "01/10/2026", "SW", "", "01/10/2026", "01/09/2026", "01/09/2026", "", "Open",
     "01/01/2025", "", "N", "N", "N", "N", "N", "N", "N", "N", "N"],
    ["200002", "Noël", "Testchild-Façade", "12/12/2012", "North", "North Assessment 1",
     "Testworker Renée", "W2001", "Testmanager Çelik", "CP", "Red", "20/10/2026",
     "24/10/2026", "SW", "", "21/10/2026", "20/10/2026", "20/10/2026", "", "Open",
     "20/10/2026", "", "N", "N", "Y", "N", "N", "N", "N", "N", "N"],
]

ECLIPSE_HEADER = [
    "Eclipse ID", "Client Name", "Birth Date", "Directorate", "Team", "Key Worker",
    "Key Worker Ref", "Manager", "Manager Ref", "Cohort Code", "Risk Level",
    "Risk Level Date", "Last Home Visit", "Last Video Contact", "Last Supervision",
    "Last VTT", "Last Risk Assessment", "Last QA Audit", "Episode Status", "Open Date",
    "Close Date", "Not In Education", "Missing", "Exploitation", "Edge Of Care",
    "Placement Stability Concern", "Reg 24", "Risk Taking Behaviour",
]
D = dt.datetime


def eclipse_rows() -> list[list[object]]:
    return [
        ["E-90001", "Testchild Galloway", D(2013, 5, 6), "Disabled Children's Service",
         "DCS West", "Testworker Basil", "EK100", "Testmanager Alder", "EM10", 6, 1,
         D(2026, 10, 1), D(2026, 10, 20), None, D(2026, 10, 2), D(2026, 10, 1),
         D(2026, 10, 1), None, "Current", D(2023, 4, 1), None,
         False, False, False, True, False, False, False],
        ["E-90002", "Testchild Hartwell", D(2010, 1, 30), "Fostering", "Fostering Team",
         "Testworker Sage", "EK101", "Testmanager Alder", "EM10", 7, "Low",
         "05/06/2026", 46280, D(2026, 9, 1), D(2026, 9, 22), D(2026, 8, 1),
         D(2026, 8, 1), D(2026, 2, 2), "Current", D(2022, 9, 9), None,
         False, False, False, False, True, False, False],
        ["E-90003", "Testchild Ivybridge", D(2007, 7, 7), "SGO", "SGO Support",
         "Testworker Sage", "EK101", "Testmanager Alder", "EM10", 8, 2,
         D(2026, 8, 14), D(2026, 10, 9), None, D(2026, 10, 1), D(2026, 8, 14),
         D(2026, 8, 14), None, "Current", D(2021, 3, 3), None,
         False, True, True, False, False, False, True],
        ["E-90004", "Testchild Juniper", D(2019, 11, 11), "Corporate Parenting",
         "Children in Care 2", "Testworker Basil", "EK100", "Testmanager Alder", "EM10", 3,
         3, D(2026, 4, 4), D(2026, 9, 30), None, D(2026, 10, 12), D(2026, 9, 9),
         D(2026, 9, 9), None, "Ended", D(2020, 1, 1), D(2026, 10, 15),
         False, False, False, False, False, True, False],
    ]


# Bad rows: each breaks one rule (row numbers in the file are 2 + index).
MOSAIC_BAD = [
    MOSAIC_ROWS[0],                                                     # row 2: fine
    ["", *MOSAIC_ROWS[1][1:]],                                          # row 3: no ref
    [MOSAIC_ROWS[0][0], *MOSAIC_ROWS[2][1:]],                           # row 4: duplicate
    [*MOSAIC_ROWS[3][:11], "31/02/2026", *MOSAIC_ROWS[3][12:]],         # row 5: no such day
    [*MOSAIC_ROWS[4][:10], "Purple", *MOSAIC_ROWS[4][11:]],             # row 6: RAG
    [*MOSAIC_ROWS[5][:9], "Pending", *MOSAIC_ROWS[5][10:]],             # row 7: status
    ["100007", *MOSAIC_ROWS[1][1:3], "01/01/2031", *MOSAIC_ROWS[1][4:]],  # row 8: DOB
    ["100008", *MOSAIC_ROWS[1][1:12], "12/31/2025", *MOSAIC_ROWS[1][13:]],  # row 9: mm/dd
    ["100009", *MOSAIC_ROWS[1][1:22], "Maybe", *MOSAIC_ROWS[1][23:]],   # row 10: flag
    ["100010", *MOSAIC_ROWS[1][1:12], "01/11/2099", *MOSAIC_ROWS[1][13:]],  # row 11: future
]

LCS_BAD = [
    LCS_ROWS[0],                                                        # row 2: fine
    [*LCS_ROWS[1][:9], "XYZ", *LCS_ROWS[1][10:]],                       # row 3: category
    [*LCS_ROWS[2][:12], "31-Foo-26", *LCS_ROWS[2][13:]],                # row 4: month
    [*LCS_ROWS[3][:17], "NIS;HOLIDAY"],                                 # row 5: flag word
    [*LCS_ROWS[4][:10], "", *LCS_ROWS[4][11:], "extra"],                # row 6: overflow
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Caseload"
    sheet.append(ECLIPSE_HEADER)
    for row in eclipse_rows():
        sheet.append(row)
    for column in "CLMNOPQRTU":
        for cell in sheet[column][1:]:
            cell.number_format = "dd/mm/yyyy"
    notes = book.create_sheet("Notes")
    notes.append(["Synthetic test data; every name is invented."])
    book.save(path)


def main() -> None:
    (HERE / "mosaic_caseload.csv").write_bytes(csv_text(MOSAIC_HEADER, MOSAIC_ROWS)
                                               .encode("utf-8"))
    (HERE / "lcs_caseload_bom.csv").write_bytes(csv_text(LCS_HEADER, LCS_ROWS)
                                                .encode("utf-8-sig"))
    (HERE / "mosaic_caseload_cp1252.csv").write_bytes(
        csv_text(MOSAIC_HEADER, CP1252_ROWS).encode("cp1252"))
    write_xlsx(HERE / "eclipse_caseload.xlsx")
    (HERE / "mosaic_bad_rows.csv").write_bytes(csv_text(MOSAIC_HEADER, MOSAIC_BAD)
                                               .encode("utf-8"))
    (HERE / "lcs_bad_rows.csv").write_bytes(csv_text(LCS_HEADER, LCS_BAD).encode("utf-8"))


if __name__ == "__main__":
    main()
