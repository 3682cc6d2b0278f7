"""Read a practice's licensed CPT descriptor file: tab-separated code and descriptor, one per line.

CPT descriptors are the AMA's copyright; claimline ships none. A practice with a licence exports its
file from the AMA data file (e.g. the "MEDU" or "SHORTU" text, which are code<TAB>descriptor) and loads
it with `python -m services.coding.adapters.reference_import cpt <file>`. Lines starting with '#' and
blank lines are skipped; a header line "code<TAB>descriptor" is allowed.
"""

from __future__ import annotations

from services.coding.domain.codesets import CptDescriptorFile, cpt_category


class CptImportError(ValueError):
    """A line of the file is not a CPT code and its descriptor."""


def read_cpt_descriptors(text: str, name: str) -> CptDescriptorFile:
    """Descriptors by code; every code must have a CPT format."""
    descriptors: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        code, separator, descriptor = line.partition("\t")
        code = code.strip().upper()
        if number == 1 and code == "CODE":
            continue
        if not separator or not descriptor.strip():
            raise CptImportError(f"line {number}: expected code<TAB>descriptor")
        if cpt_category(code) is None:
            raise CptImportError(f"line {number}: {code!r} is not a CPT code")
        descriptors[code] = descriptor.strip()
    return CptDescriptorFile(name, descriptors)
