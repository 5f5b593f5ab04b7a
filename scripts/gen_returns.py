#!/usr/bin/env python3
"""Writes synthetic statutory returns of any size, and the indicators they should give.

    python3 scripts/gen_returns.py --children 60000 --out DIR
    python3 scripts/gen_returns.py --children 60000 --lac 10000 --episodes 30000 --previous --out DIR

writes DIR/census.xml (a children in need census), DIR/903/header.csv and DIR/903/episodes.csv
(an SSDA903 return; with --previous, last year's beside it in DIR/903-previous/), and
DIR/expected.json: the figures masa's readers (src/scorecard/returns) should count, counted
here independently from the generated children, in the readers' own field names. The same
--seed writes the same files. --year-ending YEAR picks the collection year (the census's
reference date and the 903's 31 March; default 2026) and with it the year's codes.

Synthetic only: made-up identifiers (PLY..., LAC...), dates of birth and postcodes (PL<n>
<d><LL>). Python 3.11 standard library only.
"""

import argparse
import json
import os
import random
import sys
from datetime import date, timedelta

PLYMOUTH = ["PL1", "PL2", "PL3", "PL4", "PL5", "PL6", "PL7", "PL9"]
OUTSIDE = ["PL8", "PL10", "PL11", "PL12", "PL15", "PL19", "PL20", "PL21", "PL25", "PL26", "PL31"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CATEGORIES = ["NEG", "PHY", "SAB", "EMO", "MUL"]
ETHNICITY = [
    ("WBRI", 74), ("WOTH", 4), ("WIRI", 1), ("WIRT", 0.3), ("WROM", 0.5), ("MWBC", 3), ("MWBA", 1),
    ("MWAS", 1.5), ("MOTH", 2), ("AIND", 1), ("APKN", 1), ("ABAN", 0.5), ("AOTH", 1), ("BCRB", 1),
    ("BAFR", 2), ("BOTH", 0.5), ("CHNE", 0.3), ("OOTH", 1.5), ("REFU", 0.4), ("NOBT", 3),
]
DISABILITY = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]
REFERRAL_SOURCE = [
    ("6", 29), ("2A", 18), ("2B", 1), ("3A", 3), ("3B", 3), ("3C", 1), ("3D", 2), ("3E", 3), ("3F", 2),
    ("1A", 5), ("1B", 1), ("1C", 1), ("1D", 0.5), ("4", 2), ("5A", 3), ("5B", 2), ("5C", 3), ("5D", 4),
    ("7", 2), ("8", 4), ("9", 1), ("10", 2),
]
PRIMARY_NEED = [("N1", 55), ("N2", 6), ("N3", 4), ("N4", 8), ("N5", 15), ("N6", 2), ("N7", 0.5),
                ("N8", 4), ("N9", 2), ("N0", 3.5)]
CLOSURE_REASON = [("RC7", 45), ("RC8", 30), ("RC9", 12), ("RC1", 1), ("RC2", 0.2), ("RC3", 2),
                  ("RC4", 2), ("RC5", 5), ("RC6", 2.8)]
FACTORS = ["1B", "2B", "3A", "3B", "4A", "4B", "5A", "6B", "7A", "10A", "11A", "14A", "15A", "16A",
           "17A", "18B", "18C", "19B", "19C", "20", "22A", "23A", "24A"]
LS_FIRST = [("V2", 35), ("C1", 28), ("C2", 20), ("E1", 3), ("L1", 2), ("L2", 2), ("J1", 1), ("J2", 1),
            ("J3", 0.5), ("V3", 3), ("V4", 2), ("D1", 0.1), ("L3", 0.1)]
RNE_CHANGE = [("P", 60), ("L", 15), ("T", 15), ("U", 6), ("B", 4)]
REC_CEASED = [("E8", 15), ("E13", 14), ("E41", 5), ("E11", 8), ("E12", 1), ("E45", 4), ("E46", 2),
              ("E47", 3), ("E48", 2), ("E4A", 3), ("E4B", 1), ("E5", 2), ("E6", 2), ("E7", 5), ("E9", 2),
              ("E14", 3), ("E15", 2), ("E16", 2), ("E17", 8), ("E2", 0.3), ("E3", 1)]
REASON_PLACE_CHANGE = ["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
                       "PLACE", "CUSTOD", "OTHER"]
CATEGORY_OF_NEED = [("N1", 62), ("N2", 3), ("N3", 3), ("N4", 8), ("N5", 14), ("N6", 1), ("N7", 0.2),
                    ("N8", 8.8)]
PROVIDERS = [("PR1", 40), ("PR4", 40), ("PR2", 8), ("PR3", 6), ("PR5", 4), ("PR0", 2)]
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # not I, O or S
SHORT_BREAKS = {"V3", "V4"}


def place_weights(year):
    """PLACE codes by the year the return ends (the 903's lists), with realistic weights."""
    base = [("U1", 8), ("U2", 4), ("U3", 6), ("U4", 25), ("U5", 8), ("U6", 14), ("K2", 10), ("K1", 0.5),
            ("P1", 6), ("A3", 1), ("A4", 1), ("A5", 1.5), ("A6", 1), ("R1", 1), ("R2", 0.3), ("R3", 0.5),
            ("R5", 0.5), ("S1", 0.5), ("P3", 0.2), ("T0", 0.1), ("T1", 0.1), ("T2", 0.1), ("T3", 0.1),
            ("T4", 0.1)]
    if year <= 2024:
        return base + [("H5", 4), ("P2", 0.5), ("Z1", 0.5)]
    if year == 2025:
        return base + [("K3", 3), ("H5", 1), ("P2", 0.2), ("Z1", 0.5)]
    return base + [("K3", 4), ("Z11", 0.2), ("Z12", 0.1), ("Z13", 0.1), ("Z14", 0.1)]


def place_in_year(code, year):
    """The same placement in an earlier year's codes."""
    if year <= 2025 and code in ("Z11", "Z12", "Z13", "Z14"):
        return "Z1"
    if year <= 2024 and code == "K3":
        return "H5"
    return code


def pick(rng, weighted):
    codes = [c for c, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(codes, weights)[0]


def add_months(d, months):
    """d plus whole months, the day kept or the month's last day (as chrono does)."""
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)


def rand_date(rng, start, end):
    """A day from start to end, both included."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, max(span, 0)))


def postcode(rng, district):
    return f"{district} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def iso(d):
    return d.isoformat()


def uk(d):
    return d.strftime("%d/%m/%Y") if d else ""


def upn(rng):
    return rng.choice(UPN_LETTERS) + "".join(str(rng.randint(0, 9)) for _ in range(12))


# ---------------------------------------------------------------------------------------------
# The children in need census


def gen_census_child(rng, ref, ys):
    """One child's episodes: referrals, closures and plans, valid against the specification."""
    k = pick(rng, [(1, 68), (2, 22), (3, 8), (4, 2)])
    if rng.random() < 0.45:
        r = ys - timedelta(days=rng.randint(1, 900))
    else:
        r = rand_date(rng, ys, ref)
    episodes = []
    for i in range(k):
        last = i == k - 1
        nfa = r >= ys and rng.random() < 0.09
        if nfa:
            closure = r
        else:
            # Many cases close after assessment; others stay open for months or years.
            short = rng.random() < 0.5
            closure = r + timedelta(days=rng.randint(20, 90) if short else rng.randint(90, 700))
            if closure > ref:
                closure = None if last else rand_date(rng, max(r, ys), ref - timedelta(days=2))
            if closure is not None and closure < ys:
                closure = rand_date(rng, ys, min(ys + timedelta(days=90), ref))
            if last and closure is not None and rng.random() < 0.25:
                closure = None
        e = {"referral": r, "closure": closure, "nfa": nfa, "plans": []}
        if nfa:
            e["reason"] = "RC8"
        elif closure is not None:
            e["reason"] = pick(rng, CLOSURE_REASON)
        episodes.append(e)
        if closure is None:
            break
        nxt = closure + timedelta(days=rng.randint(7, 300) if rng.random() < 0.6 else rng.randint(300, 700))
        if nxt > ref:
            break
        r = nxt
    # Plans, at most one in an episode; only the last episode can be open, so one open plan.
    for e in episodes:
        if e["nfa"] or rng.random() >= 0.2:
            continue
        start = e["referral"] + timedelta(days=rng.randint(15, 60))
        until = e["closure"] or ref
        if start > until:
            continue
        if e["closure"] is not None:
            lo = max(start + timedelta(days=1), ys)
            if lo > e["closure"]:
                continue
            end = rand_date(rng, lo, e["closure"])
        elif rng.random() < 0.7 or max(start + timedelta(days=1), ys) > ref:
            end = None
        else:
            end = rand_date(rng, max(start + timedelta(days=1), ys), ref)
        latest = pick(rng, [("NEG", 48), ("EMO", 38), ("PHY", 6), ("SAB", 4), ("MUL", 4)])
        initial = latest if rng.random() < 0.9 else rng.choice(CATEGORIES)
        previous = pick(rng, [(0, 80), (1, 13), (2, 5), (3, 2)])
        e["plans"].append({"start": start, "end": end, "latest": latest, "initial": initial,
                           "previous": previous})
    first = episodes[0]["referral"]
    unborn = rng.random() < 0.01 and first >= ys
    if unborn:
        birth = None
        expected = first + timedelta(days=rng.randint(30, 200))
    else:
        birth = rand_date(rng, first - timedelta(days=17 * 365), first - timedelta(days=1))
        expected = None
    return {"episodes": episodes, "birth": birth, "expected": expected}


def census_xml_child(rng, child, n, year):
    out = ["<Child>", "<ChildIdentifiers>", f"<LAchildID>PLY{n:07d}</LAchildID>"]
    if child["birth"] is not None and rng.random() < 0.7:
        out.append(f"<UPN>{upn(rng)}</UPN>")
    else:
        out.append(f"<UPNunknown>{rng.choice(['UN1', 'UN2', 'UN3', 'UN5'])}</UPNunknown>")
    if child["birth"] is not None:
        out.append(f"<PersonBirthDate>{iso(child['birth'])}</PersonBirthDate>")
    else:
        out.append(f"<ExpectedPersonBirthDate>{iso(child['expected'])}</ExpectedPersonBirthDate>")
    if year >= 2025:
        sex = "U" if child["birth"] is None else pick(rng, [("M", 51), ("F", 48.5), ("U", 0.5)])
        out.append(f"<Sex>{sex}</Sex>")
    else:
        gender = "0" if child["birth"] is None else pick(rng, [("1", 51), ("2", 48.5), ("9", 0.5)])
        out.append(f"<GenderCurrent>{gender}</GenderCurrent>")
    out.append("</ChildIdentifiers>")
    out.append("<ChildCharacteristics>")
    out.append(f"<Ethnicity>{pick(rng, ETHNICITY)}</Ethnicity>")
    out.append("<Disabilities>")
    if rng.random() < 0.85:
        out.append("<Disability>NONE</Disability>")
    else:
        for d in rng.sample(DISABILITY, rng.randint(1, 2)):
            out.append(f"<Disability>{d}</Disability>")
    out.append("</Disabilities>")
    out.append("</ChildCharacteristics>")
    ref_limit = child["ref"]
    for e in child["episodes"]:
        out.append("<CINdetails>")
        out.append(f"<CINreferralDate>{iso(e['referral'])}</CINreferralDate>")
        out.append(f"<ReferralSource>{pick(rng, REFERRAL_SOURCE)}</ReferralSource>")
        if not e["nfa"]:
            out.append(f"<PrimaryNeedCode>{pick(rng, PRIMARY_NEED)}</PrimaryNeedCode>")
        if e["closure"] is not None:
            out.append(f"<CINclosureDate>{iso(e['closure'])}</CINclosureDate>")
            out.append(f"<ReasonForClosure>{e['reason']}</ReasonForClosure>")
        until = e["closure"] or ref_limit
        if not e["nfa"]:
            start = min(e["referral"] + timedelta(days=rng.randint(0, 5)), until)
            auth = start + timedelta(days=rng.randint(5, 45))
            out.append("<Assessments>")
            out.append(f"<AssessmentActualStartDate>{iso(start)}</AssessmentActualStartDate>")
            if auth <= until:
                out.append(f"<AssessmentAuthorisationDate>{iso(auth)}</AssessmentAuthorisationDate>")
                out.append("<FactorsIdentifiedAtAssessment>")
                for f in rng.sample(FACTORS, rng.randint(1, 3)):
                    out.append(f"<AssessmentFactors>{f}</AssessmentFactors>")
                out.append("</FactorsIdentifiedAtAssessment>")
            out.append("</Assessments>")
            if not e["plans"] and auth <= until and rng.random() < 0.4:
                plan_start = auth + timedelta(days=rng.randint(1, 20))
                if plan_start <= until:
                    out.append("<CINPlanDates>")
                    out.append(f"<CINPlanStartDate>{iso(plan_start)}</CINPlanStartDate>")
                    if e["closure"] is not None:
                        out.append(f"<CINPlanEndDate>{iso(rand_date(rng, plan_start, e['closure']))}</CINPlanEndDate>")
                    out.append("</CINPlanDates>")
        for p in e["plans"]:
            s47 = max(p["start"] - timedelta(days=rng.randint(5, 14)), e["referral"])
            out.append("<Section47>")
            out.append(f"<S47ActualStartDate>{iso(s47)}</S47ActualStartDate>")
            out.append(f"<InitialCPCtarget>{iso(s47 + timedelta(days=15))}</InitialCPCtarget>")
            out.append(f"<DateOfInitialCPC>{iso(p['start'])}</DateOfInitialCPC>")
            out.append("<ICPCnotRequired>false</ICPCnotRequired>")
            out.append("</Section47>")
        out.append(f"<ReferralNFA>{'true' if e['nfa'] else 'false'}</ReferralNFA>")
        for p in e["plans"]:
            out.append("<ChildProtectionPlans>")
            out.append(f"<CPPstartDate>{iso(p['start'])}</CPPstartDate>")
            if p["end"] is not None:
                out.append(f"<CPPendDate>{iso(p['end'])}</CPPendDate>")
            out.append(f"<InitialCategoryOfAbuse>{p['initial']}</InitialCategoryOfAbuse>")
            out.append(f"<LatestCategoryOfAbuse>{p['latest']}</LatestCategoryOfAbuse>")
            out.append(f"<NumberOfPreviousCPP>{p['previous']}</NumberOfPreviousCPP>")
            review = p["start"] + timedelta(days=90)
            if review <= (p["end"] or ref_limit):
                out.append(f"<Reviews><CPPreviewDate>{iso(review)}</CPPreviewDate></Reviews>")
            out.append("</ChildProtectionPlans>")
        out.append("</CINdetails>")
    out.append("</Child>")
    return "\n".join(out)


def count_census(children, ref, ys):
    """The census figures, by the readers' definitions, from the generated children."""
    f = {"reference_date": iso(ref), "children": len(children), "referrals_12_months": 0,
         "re_referrals_12_months": 0, "children_in_need_at_date": 0, "cp_plans_at_date": 0,
         "cp_by_category": {c: 0 for c in sorted(CATEGORIES)}, "cp_started_12_months": 0,
         "cp_started_with_previous_plan": 0}
    for child in children:
        referrals = sorted(e["referral"] for e in child["episodes"])
        for i, c in enumerate(referrals):
            if not (ys <= c <= ref):
                continue
            f["referrals_12_months"] += 1
            earlier = [p for p in referrals[:i] if p < c]
            if earlier and c <= add_months(earlier[-1], 12):
                f["re_referrals_12_months"] += 1
        if any(e["referral"] <= ref and (e["closure"] is None or e["closure"] > ref)
               for e in child["episodes"]):
            f["children_in_need_at_date"] += 1
        plans = [p for e in child["episodes"] for p in e["plans"]]
        starts = [p["start"] for p in plans]
        for p in plans:
            if p["start"] <= ref and (p["end"] is None or p["end"] > ref):
                f["cp_plans_at_date"] += 1
                f["cp_by_category"][p["latest"]] += 1
            if ys <= p["start"] <= ref:
                f["cp_started_12_months"] += 1
                if p["previous"] > 0 or any(s < p["start"] for s in starts):
                    f["cp_started_with_previous_plan"] += 1
    return f


def write_census(rng, n, year, path):
    ref = date(year, 3, 31)
    ys = date(year - 1, 4, 1)
    children = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header>\n<CollectionDetails>\n'
                  f"<Collection>CIN</Collection>\n<Year>{year}</Year>\n"
                  f"<ReferenceDate>{iso(ref)}</ReferenceDate>\n</CollectionDetails>\n<Source>\n"
                  "<SourceLevel>L</SourceLevel>\n<LEA>879</LEA>\n<SoftwareCode>gen_returns</SoftwareCode>\n"
                  f"<Release>1</Release>\n<SerialNo>001</SerialNo>\n<DateTime>{year}-05-01T09:00:00</DateTime>\n"
                  "</Source>\n</Header>\n<Children>\n")
        batch = []
        for i in range(n):
            child = gen_census_child(rng, ref, ys)
            child["ref"] = ref
            batch.append(census_xml_child(rng, child, i + 1, year))
            child.pop("ref")
            children.append(child)
            if len(batch) >= 1000:
                out.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            out.write("\n".join(batch) + "\n")
        out.write("</Children>\n</Message>\n")
    return count_census(children, ref, ys)


# ---------------------------------------------------------------------------------------------
# The SSDA903 return


def gen_lac(rng, n, m, year):
    """n children with m episodes in all, for the year ending 31 March `year`."""
    ref = date(year, 3, 31)
    ys = date(year - 1, 4, 1)
    counts = [1] * n
    movers = list(range(n))
    rng.shuffle(movers)
    movers = movers[: max(1, n * 3 // 10)]
    extra = max(m - n, 0)
    while extra > 0:
        i = rng.choice(movers) if rng.random() < 0.7 else rng.randrange(n)
        if counts[i] < 15:
            counts[i] += 1
            extra -= 1
    places = place_weights(year)
    children = []
    for i in range(n):
        k = counts[i]
        if rng.random() < 0.6:
            d0 = ys - timedelta(days=rng.randint(1, 2000))
        else:
            d0 = rand_date(rng, ys, ref - timedelta(days=60))
        ceased = rng.random() < 0.25
        window_start = max(d0 + timedelta(days=1), ys)
        span = (ref - window_start).days + 1
        needed = k - 1 + (1 if ceased else 0)
        days = sorted(rng.sample(range(span), needed))
        changes = [window_start + timedelta(days=d) for d in days]
        ls = pick(rng, LS_FIRST)
        place = pick(rng, places)
        episodes = []
        start = d0
        rne = "S"
        for j in range(k):
            if j > 0:
                rne = pick(rng, RNE_CHANGE)
                if rne in ("L", "T", "B") and ls not in SHORT_BREAKS:
                    ls = rng.choice(["C2", "E1", "C2", "V2"])
                if rne != "L":
                    place = pick(rng, places)
            end = changes[j] if j < len(changes) else None
            rec = "X1" if j < k - 1 else (pick(rng, REC_CEASED) if end else "")
            episodes.append({"decom": start, "rne": rne, "ls": ls, "place": place, "dec": end,
                             "rec": rec})
            start = end
        children.append({"id": f"LAC{i + 1:06d}", "episodes": episodes, "d0": d0})
    return children, ref


def write_903(rng, children, year, ref, rules, folder, is_previous=False):
    os.makedirs(folder, exist_ok=True)
    header_rows = []
    episode_rows = []
    for c in children:
        d0 = c["d0"]
        if "dob" not in c:
            c["dob"] = rand_date(rng, d0 - timedelta(days=17 * 365), d0 - timedelta(days=1))
            c["sex"] = pick(rng, [("M", 55), ("F", 44.8), ("U", 0.2)])
            c["ethnic"] = pick(rng, ETHNICITY)
            c["upn"] = upn(rng) if rng.random() < 0.85 else rng.choice(["UN1", "UN2", "UN3", "UN4", "UN5"])
            c["home"] = postcode(rng, rng.choice(PLYMOUTH) if rng.random() < 0.9 else rng.choice(OUTSIDE))
        sex = c["sex"] if year >= 2025 else {"M": "1", "F": "2", "U": "1"}[c["sex"]]
        age = (ref - c["dob"]).days // 365
        mother = "0" if c["sex"] == "F" and age >= 12 else ""
        header_rows.append([c["id"], sex, uk(c["dob"]), c["ethnic"], c["upn"], mother, ""])
        for j, e in enumerate(c["episodes"]):
            place = place_in_year(e["place"], year)
            if "pl_post" not in e:
                if place == "P1":
                    e["pl_post"] = c["home"]
                elif rng.random() < 0.05:
                    e["pl_post"] = ""
                elif rng.random() < 0.64:
                    e["pl_post"] = postcode(rng, rng.choice(PLYMOUTH))
                else:
                    e["pl_post"] = postcode(rng, rng.choice(OUTSIDE))
                if e["pl_post"] == c["home"] and place != "P1":
                    e["pl_post"] = postcode(rng, rng.choice(PLYMOUTH))
                e["provider"] = "" if place[0] in "TZ" or place == "P1" else pick(rng, PROVIDERS)
                e["urn"] = ("SC%06d" % rng.randint(0, 999999)) if place in ("K1", "K2", "K3") else (
                    "XXXXXXX" if place[0] in "RS" else "")
                nxt = c["episodes"][j + 1] if j + 1 < len(c["episodes"]) else None
                e["reason"] = (rng.choice(REASON_PLACE_CHANGE)
                               if nxt and nxt["rne"] != "L" and place[0] != "T" else "")
                e["cin"] = pick(rng, CATEGORY_OF_NEED)
            episode_rows.append([c["id"], uk(e["decom"]), e["rne"], e["ls"], e["cin"], place,
                                 e["provider"], uk(e["dec"]), e["rec"], e["reason"], c["home"],
                                 e["pl_post"], e["urn"]])
    rng.shuffle(episode_rows)
    with open(os.path.join(folder, "header.csv"), "w", encoding="utf-8", newline="") as out:
        out.write("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n")
        for r in header_rows:
            out.write(",".join(r) + "\r\n")
    with open(os.path.join(folder, "episodes.csv"), "w", encoding="utf-8", newline="") as out:
        out.write("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
                  "PL_POST,URN\r\n")
        for r in episode_rows:
            out.write(",".join(r) + "\r\n")
    return count_903(children, year, ref, rules, len(episode_rows))


def count_903(children, year, ref, rules, episodes):
    f = {"reference_date": iso(ref), "children": len(children), "episodes": episodes,
         "looked_after_at_date": 0, "placement_types": {}, "placed_outside": 0, "placed_inside": 0,
         "postcode_unknown": 0}
    inside = {d.strip().upper() for d in rules}
    for c in children:
        for e in c["episodes"]:
            open_at = e["decom"] <= ref and (e["dec"] is None or e["dec"] > ref)
            if not open_at or e["ls"] in SHORT_BREAKS:
                continue
            f["looked_after_at_date"] += 1
            place = place_in_year(e["place"], year)
            f["placement_types"][place] = f["placement_types"].get(place, 0) + 1
            if not e["pl_post"]:
                f["postcode_unknown"] += 1
            elif not inside or e["pl_post"].split(" ")[0].upper() in inside:
                f["placed_inside"] += 1
            else:
                f["placed_outside"] += 1
    f["placement_types"] = dict(sorted(f["placement_types"].items()))
    return f


def previous_year(rng, children, year):
    """Last year's return: the children looked after on 1 April, their episode then open, and
    some who left care during last year."""
    ref = date(year - 1, 3, 31)
    ys = date(year - 2, 4, 1)
    previous = []
    for c in children:
        first = c["episodes"][0]
        if first["decom"] < date(year - 1, 4, 1):
            e = dict(first)
            e["dec"] = None
            e["rec"] = ""
            e["reason"] = ""
            previous.append(dict(c, episodes=[e]))
    for i in range(max(1, len(children) // 4)):
        d0 = rand_date(rng, ys - timedelta(days=700), ref - timedelta(days=30))
        end = rand_date(rng, max(d0 + timedelta(days=1), ys), ref)
        e = {"decom": d0, "rne": "S", "ls": pick(rng, LS_FIRST), "place": pick(rng, place_weights(year - 1)),
             "dec": end, "rec": pick(rng, REC_CEASED)}
        previous.append({"id": f"LAP{i + 1:06d}", "episodes": [e], "d0": d0})
    return previous, ref


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--children", type=int, default=0, help="children in the census (0: no census)")
    ap.add_argument("--lac", type=int, default=0, help="children in the SSDA903 return (0: no return)")
    ap.add_argument("--episodes", type=int, default=0, help="episodes in the return (at least --lac)")
    ap.add_argument("--previous", action="store_true", help="write last year's return too")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year-ending", type=int, default=2026, help="the year whose 31 March ends the collection")
    ap.add_argument("--area", default=",".join(PLYMOUTH), help="postcode districts inside the area")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.year_ending < 2020:
        sys.exit("--year-ending: 2020 or later")
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    area = [d.strip().upper() for d in a.area.split(",") if d.strip()]
    expected = {"seed": a.seed, "year_ending": iso(date(a.year_ending, 3, 31)), "rules": {"inside_area": area}}
    if a.children > 0:
        expected["census"] = write_census(rng, a.children, a.year_ending, os.path.join(a.out, "census.xml"))
    if a.lac > 0:
        m = max(a.episodes, a.lac)
        children, ref = gen_lac(rng, a.lac, m, a.year_ending)
        expected["ssda903"] = write_903(rng, children, a.year_ending, ref, area, os.path.join(a.out, "903"))
        if a.previous:
            prev, prev_ref = previous_year(rng, children, a.year_ending)
            expected["ssda903_previous"] = write_903(rng, prev, a.year_ending - 1, prev_ref, area,
                                                     os.path.join(a.out, "903-previous"))
    with open(os.path.join(a.out, "expected.json"), "w", encoding="utf-8") as out:
        json.dump(expected, out, indent=2)
        out.write("\n")
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
