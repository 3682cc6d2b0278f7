"""A TR3 structure check for 276 inquiries (005010X212), since pyx12 4.0.0 ships no map for them.

pyx12 4.0.0 has 276/277 maps for 4010 X093A1 only; its 277.5010.X212.xml is not registered and, when
registered, names GS01 RA / GS08 005010X218 and nests its loops wrongly, so it cannot judge a 277 either.
This check follows the 005010X212 276 loop layout: envelope, BHT, the HL 20 > 21 > 19 > 22 (> 23)
hierarchy with each level's name segment, and the 2200D/2200E claim status tracking segments in order.
"""

from __future__ import annotations

import re

from shared.x12.tokenizer import element, split_segments

LEVEL_PARENT = {"20": None, "21": "20", "19": "21", "22": "19", "23": "22"}
LEVEL_NAME = {"20": ("PR", "2"), "21": ("41", "2"), "19": ("1P", "2"), "22": ("IL", "1"), "23": ("QC", "1")}
TRACKING_ORDER = ["TRN", "REF*1K", "REF*BLT", "REF*EJ", "AMT*T3", "DTP*472"]
DATE = re.compile(r"^\d{8}$")


def problems_276(x12: str) -> list[str]:
    """Every way the 276 departs from the 005010X212 layout; empty when it conforms."""
    _, segments = split_segments(x12)
    found: list[str] = []
    isa, gs, st = segments[0], segments[1], segments[2]
    if (gs[0], element(gs, 1), element(gs, 8)) != ("GS", "HR", "005010X212"):
        found.append("GS must be HR / 005010X212")
    if (st[0], element(st, 1), element(st, 3)) != ("ST", "276", "005010X212"):
        found.append("ST must be 276 / 005010X212")
    se, ge, iea = segments[-3], segments[-2], segments[-1]
    if se[0] != "SE" or element(se, 1) != str(len(segments) - 4) or element(se, 2) != element(st, 2):
        found.append("SE01 must count ST..SE and SE02 equal ST02")
    if element(ge, 2) != element(gs, 6) or element(iea, 2) != element(isa, 13) or element(ge, 1) != "1":
        found.append("GE/IEA must close GS/ISA")
    bht = segments[3]
    if bht[:3] != ["BHT", "0010", "13"] or not DATE.match(element(bht, 4)) or not element(bht, 3):
        found.append("BHT must be 0010*13 with a reference and a date")
    found += _hierarchy(segments[4:-3])
    return found


def _hierarchy(body: list[list[str]]) -> list[str]:
    found: list[str] = []
    levels: dict[str, str] = {}
    index = 0
    expected_id = 1
    while index < len(body):
        hl = body[index]
        if hl[0] != "HL":
            return found + [f"expected HL at body segment {index}, found {hl[0]}"]
        level, parent = element(hl, 3), element(hl, 2)
        if element(hl, 1) != str(expected_id):
            found.append(f"HL01 {element(hl, 1)} out of sequence")
        expected_id += 1
        if level not in LEVEL_PARENT or (LEVEL_PARENT[level] is None) != (parent == ""):
            found.append(f"HL {element(hl, 1)}: level {level} cannot have parent {parent!r}")
        elif parent and levels.get(parent) != LEVEL_PARENT[level]:
            found.append(f"HL {element(hl, 1)}: parent {parent} is not a level {LEVEL_PARENT[level]}")
        levels[element(hl, 1)] = level
        index += 1
        if body[index][0] == "DMG":
            if level not in ("22", "23") or body[index][1] != "D8" or not DATE.match(element(body[index], 2)):
                found.append(f"HL {element(hl, 1)}: DMG is only for subscriber/dependent, as D8 with a date")
            index += 1
        elif level == "23":
            found.append("the dependent level requires DMG")
        nm1 = body[index]
        entity, kind = LEVEL_NAME.get(level, ("?", "?"))
        if nm1[0] != "NM1" or element(nm1, 1) != entity or element(nm1, 2) != kind or not element(nm1, 3):
            found.append(f"HL {element(hl, 1)}: level {level} needs NM1*{entity}*{kind} with a name")
        if level in ("20", "21", "19", "22") and not (element(nm1, 8) and element(nm1, 9)):
            found.append(f"HL {element(hl, 1)}: NM108/NM109 identification is required")
        index += 1
        tracking: list[str] = []
        while index < len(body) and body[index][0] != "HL":
            segment = body[index]
            tracking.append(segment[0] if segment[0] == "TRN" else f"{segment[0]}*{element(segment, 1)}")
            if segment[0] == "TRN" and (element(segment, 1) != "1" or not element(segment, 2)):
                found.append("TRN must be TRN*1 with a trace number")
            if segment[0] == "DTP" and element(segment, 2) not in ("D8", "RD8"):
                found.append("DTP*472 must be D8 or RD8")
            index += 1
        has_child = index < len(body) and LEVEL_PARENT.get(element(body[index], 3)) == level
        if tracking:
            if level not in ("22", "23") or (level == "22" and has_child):
                found.append(f"HL {element(hl, 1)}: claim status tracking only under the patient's level")
            order = [TRACKING_ORDER.index(s) if s in TRACKING_ORDER else -1 for s in tracking]
            if -1 in order or order != sorted(order) or tracking[0] != "TRN" or tracking.count("TRN") != 1:
                found.append(f"HL {element(hl, 1)}: tracking segments out of order: {tracking}")
        elif level in ("22", "23") and not has_child:
            found.append(f"HL {element(hl, 1)}: the patient's level needs a claim status tracking loop")
        if level != "23" and element(hl, 4) != ("1" if has_child else "0"):
            found.append(f"HL {element(hl, 1)}: HL04 must say whether a child level follows")
    return found
