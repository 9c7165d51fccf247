"""Run the open peer, pddiansm, on regimens given as JSON on stdin; print detections and times.

Runs inside its own virtual environment (pddiansm pins pydantic 1.7, which cannot share
medref's environment; see docs/adr/0003). Input: {"edition": "2020_01", "regimens": [[substance,
...], ...]}. Output: {"per_regimen_s": [...], "pairs": [[[s1, s2], ...], ...]}.
"""

import json
import sys
import time

from pddiansm.detector.PDDIsimpleDrugsDetector import PDDIsimpleDrugsDetector
from pddiansm.pydantic.interfaces_input import SimpleDrug
from pddiansm.thesaurus.ThesauriJson import ThesauriJson


def main() -> None:
    job = json.load(sys.stdin)
    detector = PDDIsimpleDrugsDetector(ThesauriJson().get_thesaurus(job["edition"]))
    times, pairs = [], []
    for regimen in job["regimens"]:
        drugs = [SimpleDrug(id=i, substances=[name]) for i, name in enumerate(regimen)]
        start = time.perf_counter()
        found = detector.detect_pddi_multiple_drugs(drugs)
        times.append(time.perf_counter() - start)
        pairs.append(
            sorted({tuple(sorted((regimen[d.drug1.id], regimen[d.drug2.id]))) for d in found})
        )
    json.dump({"per_regimen_s": times, "pairs": pairs}, sys.stdout)


if __name__ == "__main__":
    main()
