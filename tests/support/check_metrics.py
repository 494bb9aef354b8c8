#!/usr/bin/env python3
"""Reads a /metrics body on stdin and checks it the way a Prometheus server would.

Parses it with the prometheus_client text parser (Debian's python3-prometheus-client) and refuses
what a server refuses although that parser lets it pass: a family declared or typed twice, and the
same series (name and labels) twice. Prints "families N samples M" and exits 0, or prints the
problem and exits 1.
"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    problems = []
    typed = set()
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("# TYPE "):
            name = line.split()[2]
            if name in typed:
                problems.append(f"line {number}: a second TYPE line for {name}")
            typed.add(name)
    families = set()
    series = set()
    samples = 0
    try:
        for family in text_string_to_metric_families(text):
            if family.name in families:
                problems.append(f"family {family.name} appears twice")
            families.add(family.name)
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                if key in series:
                    problems.append(f"series {sample.name}{dict(sample.labels)} appears twice")
                series.add(key)
                samples += 1
    except ValueError as error:
        problems.append(f"the parser refused the text: {error}")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"families {len(families)} samples {samples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
