#!/usr/bin/env python3
"""Makes bench/data/duplicate_e2e_pairs.json, the labelled set of the end-to-end duplicate
evaluation (docs/duplicates.md), from the hand-written pairs in
tests/router/data/duplicate_pairs.json. Deterministic (fixed seed); run it again after editing
those pairs. What it changes, and why:

- time: 45% of the duplicates get their repeat 8-30 days after the first appeal (citizens call
  again about an unresolved matter weeks later); the rest keep their gap of hours to days;
- links: 40% of the duplicates lose every phone and plate link: the repeat comes from another
  number (a relative's mobile, a petition account with another masked number, a letter without a
  phone) and without the plate field, as other witnesses of one incident do; only duplicates that
  name no plate in their texts are chosen, so that they are linked by nothing but their wording;
- written forms: some linked duplicates carry the same landline once as 0839-3261234 and once as
  08393261234, and plates written in the text as 川h t2231 or H T9018;
- the text-only variant (text_only_pairs) is the same set with every phone, plate field and plate
  written in the text removed.
The negatives keep their labels: same citizen, plate, route, place or template, another incident;
the former outside-the-window ones are now 7-30 days apart inside the 30-day window, bar four.
"""
import datetime
import json
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "tests/router/data/duplicate_pairs.json")
TARGET = os.path.join(ROOT, "bench/data/duplicate_e2e_pairs.json")

PLATE = re.compile(r"[川][A-Za-zＡ-Ｚａ-ｚ][·・\-\s\.]?[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]{5,6}")
# A plate written without its province, as Guangyuan people do: H T2851, H D03317.
LOCAL_PLATE = re.compile(r"(?<![A-Za-z0-9])[Hh][ ·\-]?[A-Za-z0-9]{5,6}(?![A-Za-z0-9])")
rng = random.Random(18)


def plate_in(side):
    return PLATE.search(side["title"] + side["content"]) is not None


def mobile():
    return rng.choice(["139", "138", "158", "159", "180", "181", "187", "189", "199"]) + "".join(
        rng.choice("0123456789") for _ in range(8))


def phone_for(channel):
    """A number of another person, in the form the channel delivers it."""
    m = mobile()
    if channel == "petition":
        return m[:3] + "****" + m[7:]
    if channel == "mailbox" and rng.random() < 0.5:
        return ""  # a letter without a phone
    return m


def landline():
    return "0839-" + rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(6))


def rewrite_plates(text, style):
    def one(m):
        raw = re.sub(r"[·・\-\s\.]", "", m.group(0))
        raw = raw.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).upper()
        region, tail = raw[1], raw[2:]
        if style == 0:
            return "川" + region.lower() + " " + tail.lower()
        return region + " " + tail
    return PLATE.sub(one, text)


def shift(iso, days, hours):
    t = datetime.datetime.fromisoformat(iso)
    return (t + datetime.timedelta(days=days, hours=hours)).isoformat()


def main():
    pairs = json.load(open(SOURCE, encoding="utf-8"))["pairs"]
    dups = [i for i, p in enumerate(pairs) if p["duplicate"]]
    unlinkable = [i for i in dups if not (pairs[i]["a"]["plate"] or pairs[i]["b"]["plate"] or
                                          plate_in(pairs[i]["a"]) or plate_in(pairs[i]["b"]))]
    rng.shuffle(unlinkable)
    unlink = set(unlinkable[: round(0.40 * len(dups))])
    late = set(rng.sample(dups, round(0.45 * len(dups))))
    out = []
    for i, p in enumerate(pairs):
        p = json.loads(json.dumps(p))
        a, b = p["a"], p["b"]
        edits = []
        if i in late:
            ta = datetime.datetime.fromisoformat(a["received_at"])
            tb = datetime.datetime.fromisoformat(b["received_at"])
            days = rng.randint(8, 29)
            b["received_at"] = shift(a["received_at"], days, rng.randint(0, 20))
            edits.append(f"repeat {days} days later (was {(tb - ta).days})")
        if i in unlink:
            b["phone"] = phone_for(b["channel"])
            while b["phone"] and b["phone"][:3] == a["phone"][:3] and b["phone"][-4:] == a["phone"][-4:]:
                b["phone"] = phone_for(b["channel"])
            b["plate"] = ""
            edits.append("no phone or plate link")
        elif p["duplicate"] and a["phone"] and a["phone"] == b["phone"] and \
                a["channel"] != "petition" and b["channel"] != "petition" and rng.random() < 0.25:
            number = landline()
            a["phone"], b["phone"] = number, number.replace("-", "")
            edits.append("landline with and without the dash")
        if plate_in(b) and rng.random() < 0.6:
            style = rng.randrange(2)
            b["title"] = rewrite_plates(b["title"], style)
            b["content"] = rewrite_plates(b["content"], style)
            edits.append("plate written " + ("川h t…" if style == 0 else "H T…"))
        if edits:
            p["note"] += "; e2e: " + ", ".join(edits)
        p["linked"] = link_kind(a, b)
        out.append(p)

    text_only = []
    for p in out:
        q = json.loads(json.dumps(p))
        for side in (q["a"], q["b"]):
            side["phone"] = ""
            side["plate"] = ""
            side["title"] = PLATE.sub("", side["title"])
            side["content"] = PLATE.sub("", side["content"])
            for field in ("title", "content"):
                side[field] = LOCAL_PLATE.sub("", side[field])
        q["linked"] = "none"
        text_only.append(q)

    about = ("End-to-end duplicate evaluation set, made by bench/make_duplicate_e2e_set.py from "
             "tests/router/data/duplicate_pairs.json (see its docstring). 'a' is taken in first, "
             "'b' later; duplicate=true: b repeats a's complaint about the same incident. "
             "'linked': which phone or plate links the pair (phone, masked, plate, none).")
    with open(TARGET, "w", encoding="utf-8") as f:
        json.dump({"about": about, "pairs": out, "text_only_pairs": text_only}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")
    summary(out)


def norm_phone(p):
    return re.sub(r"[^0-9*]", "", p)


def link_kind(a, b):
    pa, pb = norm_phone(a["phone"]), norm_phone(b["phone"])
    kinds = []
    if pa and pb:
        if "*" not in pa + pb and (pa == pb or (pa.startswith("0839") and pa[4:] == pb) or
                                   (pb.startswith("0839") and pb[4:] == pa)):
            kinds.append("phone")
        elif len(pa) == 11 and len(pb) == 11 and pa[:3] == pb[:3] and pa[7:] == pb[7:]:
            kinds.append("masked")

    def plates(s):
        found = {re.sub(r"[·・\-\s\.]", "", m.group(0)).upper()[-5:] for m in PLATE.finditer(
            s["title"] + s["content"])}
        found |= {re.sub(r"[ ·\-]", "", m.group(0)).upper()[-5:] for m in LOCAL_PLATE.finditer(
            s["title"] + s["content"])}
        if s["plate"]:
            found.add(s["plate"].upper()[-5:])
        return found
    if plates(a) & plates(b):
        kinds.append("plate")
    return "+".join(kinds) or "none"


def summary(pairs):
    dups = [p for p in pairs if p["duplicate"]]
    def gap(p):
        return (datetime.datetime.fromisoformat(p["b"]["received_at"]) -
                datetime.datetime.fromisoformat(p["a"]["received_at"])).total_seconds() / 86400
    late = sum(1 for p in dups if 8 <= gap(p) <= 30)
    unlinked = sum(1 for p in dups if p["linked"] == "none")
    print(f"{len(pairs)} pairs, {len(dups)} duplicates: {late} 8-30 days apart, "
          f"{unlinked} linked by no phone or plate; "
          f"{sum(1 for p in pairs if not p['duplicate'] and gap(p) <= 30)} negatives within 30 days")


if __name__ == "__main__":
    main()
