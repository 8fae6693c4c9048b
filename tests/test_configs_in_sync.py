"""configs/ud.cfg, ner.cfg and textcat.cfg share one pretrained tok2vec (one
`spacy pretrain` serves all three): their [pretraining], [corpora.pretrain]
and the language-model part of [components.tok2vec.model] must agree, except
for the differences named here. A copy edited in one file only fails this."""
from thinc.api import Config

from conftest import ROOT

CONFIGS = ("ud", "ner", "textcat")
SHARED = ("pretraining", "corpora.pretrain", "components.tok2vec.model")
#: Intended differences, by (section, key): what each task sets on its own.
INTENDED = {
    ("pretraining", "max_epochs"): "textcat's own pretraining is shorter (it is adapted to its text after)",
    ("components.tok2vec.model", "freeze_lm"): "NER (a few hundred snippets) keeps the pretrained part fixed",
    ("components.tok2vec.model", "lm_learn_rate_scale"): "ignored where the part is frozen (NER)",
    ("components.tok2vec.model", "refine_depth"): "the task BiLSTM after the pretrained part (UD only)",
    ("components.tok2vec.model", "window_size"): "the window layer after it (NER only)",
}


def _flat(section, prefix=""):
    out = {}
    for key, value in section.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _section(config, dotted):
    for part in dotted.split("."):
        config = config[part]
    return _flat(config)


def test_shared_blocks_agree_but_for_the_named_differences():
    configs = {name: Config().from_disk(ROOT / "configs" / f"{name}.cfg", interpolate=False) for name in CONFIGS}
    differences = set()
    for section in SHARED:
        values = {name: _section(config, section) for name, config in configs.items()}
        for key in set().union(*values.values()):
            seen = {repr(values[name].get(key, "<missing>")) for name in CONFIGS}
            if len(seen) > 1:
                differences.add((section, key))
    unnamed = differences - set(INTENDED)
    assert not unnamed, f"configs differ where they should not: {sorted(unnamed)}"
    stale = set(INTENDED) - differences
    assert not stale, f"named differences that are no longer different: {sorted(stale)}"
