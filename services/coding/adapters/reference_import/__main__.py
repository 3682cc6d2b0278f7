"""python -m services.coding.adapters.reference_import <command> --dir DIR ...: load reference data files.

See services/coding/reference_data/README.md; the service reads DIR when CODING_REFERENCE_DIR=DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from services.coding.adapters.reference_import import import_commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.coding.adapters.reference_import")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--dir", type=Path, required=True, help="reference-data directory (created if new)")
        return sub

    ptp = command("ncci-ptp", "a quarter's NCCI PTP practitioner files (tab-separated .TXT)")
    ptp.add_argument("--release", required=True, help='e.g. "CMS NCCI PTP practitioner 2027Q1"')
    ptp.add_argument("files", type=Path, nargs="+")
    mue = command("ncci-mue", "a quarter's NCCI MUE practitioner CSV")
    mue.add_argument("--release", required=True)
    mue.add_argument("file", type=Path)
    hcpcs = command("hcpcs", "the CMS HCPCS quarterly file saved from its workbook as CSV")
    hcpcs.add_argument("--release", required=True)
    hcpcs.add_argument("file", type=Path)
    cpt = command("cpt", "the practice's licensed CPT descriptors: code<TAB>descriptor")
    cpt.add_argument("--name", required=True)
    cpt.add_argument("file", type=Path)
    icd = command("icd10cm", "a CMS ICD-10-CM release: code list and tabular XML")
    icd.add_argument("--name", required=True, help='e.g. "ICD-10-CM FY2027"')
    icd.add_argument("--from", dest="effective_from", type=dt.date.fromisoformat, required=True)
    icd.add_argument("--through", dest="effective_through", type=dt.date.fromisoformat, required=True)
    icd.add_argument("code_list", type=Path)
    icd.add_argument("tabular", type=Path)
    addenda = command("icd10cm-addenda", "CMS's yearly ICD-10-CM order-file addenda, applied to the release before")
    addenda.add_argument("--name", help='default "ICD-10-CM FY<year>", the year from the counts closing the file')
    addenda.add_argument("--from", dest="effective_from", type=dt.date.fromisoformat,
                         help="first date of service (default 1 October before the fiscal year)")
    addenda.add_argument("--through", dest="effective_through", type=dt.date.fromisoformat,
                         help="last date of service (default 30 September of the fiscal year)")
    addenda.add_argument("--previous", help="the loaded release they apply to (default the latest before --from)")
    addenda.add_argument("file", type=Path, help="e.g. icd10cm_order_addenda_2028.txt")
    command("check", "load every table the directory names and print what is loaded")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "ncci-ptp":
            result = import_commands.import_ptp(args.dir, args.release, args.files)
        elif args.command == "ncci-mue":
            result = import_commands.import_mue(args.dir, args.release, args.file)
        elif args.command == "hcpcs":
            result = import_commands.import_hcpcs(args.dir, args.release, args.file)
        elif args.command == "cpt":
            result = import_commands.import_cpt(args.dir, args.name, args.file)
        elif args.command == "icd10cm":
            result = import_commands.import_icd10cm(args.dir, args.name, args.effective_from,
                                                    args.effective_through, args.code_list, args.tabular)
        elif args.command == "icd10cm-addenda":
            result = import_commands.import_icd10cm_addenda(args.dir, args.file, args.name, args.effective_from,
                                                            args.effective_through, args.previous)
        else:
            result = import_commands.check(args.dir)
    except (ValueError, OSError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
