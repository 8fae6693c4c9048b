"""Install a packaged pipeline wheel into a fresh virtual environment and use it.

The new venv sees this environment's packages through a site .pth file (so it
works offline), and pip installs the wheel with --no-index: the install fails
if the wheel's requirements (spacy-lstm among them) are not met. Then a new
interpreter runs ``spacy.load(NAME)`` on a Tagalog sentence and prints each
token with its POS, dependency and entity, plus the text categories.

    python scripts/smoke_install.py packages/tl_lstm_sample-0.1.0/dist/*.whl tl_lstm_sample --output metrics/smoke.txt
"""
import argparse
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

SENTENCE = "Bumili si Ana ng bagong sapatos sa Marikina kahapon at masaya siya."
PROGRAM = """
import spacy
nlp = spacy.load(NAME)
doc = nlp(SENTENCE)
print("pipeline:", ",".join(nlp.pipe_names))
for t in doc:
    print(t.text, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_ + ("-" + t.ent_type_ if t.ent_type_ else ""), sep="\\t")
print("entities:", [(e.text, e.label_) for e in doc.ents])
print("cats:", {k: round(v, 3) for k, v in doc.cats.items()})
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("wheel", type=Path)
    p.add_argument("name")
    p.add_argument("--output", type=Path, required=True)
    args = p.parse_args()
    venv = Path(tempfile.mkdtemp(prefix="smoke-venv-"))
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        parents = [p for p in site.getsitepackages() if Path(p).exists()]
        (Path(purelib) / "_parent_env.pth").write_text(
            "".join(f"import site; site.addsitedir({p!r})\n" for p in parents), encoding="utf8"
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-build-isolation", str(args.wheel)],
            check=True,
        )
        result = subprocess.run(
            [str(python), "-c", f"NAME = {args.name!r}\nSENTENCE = {SENTENCE!r}\n" + PROGRAM], check=True, capture_output=True, text=True
        )
    finally:
        shutil.rmtree(venv, ignore_errors=True)
    print(result.stdout)
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(result.stdout, encoding="utf8")
    tmp.replace(args.output)


if __name__ == "__main__":
    main()
