"""Adapt pretrained language-model weights to a task's own text.

ULMFiT's second step: the language model pretrained on general raw text
(``spacy pretrain``) goes on learning the same objective, for a few epochs,
on the unlabelled text of the task's training corpus (tweets, say, when the
raw text was news and Wikipedia). The task is then trained from the adapted
weights through ``[initialize] init_tok2vec`` as before.

This is spaCy's own pretraining loop (``spacy.training.pretrain.pretrain``),
resumed from the weights with the config's ``[pretraining]`` settings, with
``paths.raw_text`` set to the task's text (any format
``spacy_lstm.RawText.v1`` reads, ``.spacy`` included) and ``max_epochs`` to
the adaptation epochs. The output directory is written under a temporary name
and appears only when complete, with ``model0.bin`` ... ``model{N-1}.bin``,
``model-last.bin``, the config and ``adapt-lm.json`` (what was adapted to
what). The objective's output layer is not in the weights file (spaCy saves
only the tok2vec layer), so it starts afresh.
"""
import json
from pathlib import Path

from spacy.training.pretrain import pretrain
from spacy.util import dot_to_object, load_model_from_config, registry
from thinc.api import Config
from wasabi import msg

from ..errors import UsageError
from ..safe_output import atomic_directory, check_directory_target, check_not_input

#: Written last into every output directory; marks it as ours for --overwrite.
RECORD = "adapt-lm.json"
#: Every name the command writes (spaCy's per-epoch files included).
KNOWN = {RECORD, "config.cfg", "log.jsonl", "model-last.bin"} | {
    name for i in range(1000) for name in (f"model{i}.bin", f"model{i}.temp.bin")
}


def check_inputs(config: Config, weights: Path, text: Path) -> None:
    """Raise a one-line error unless ``weights`` loads into the config's
    pretraining layer and the pretraining corpus yields at least one doc."""
    if not weights.is_file():
        raise UsageError(f"{weights}: no such file; expected a spacy pretrain weights file (model*.bin)")
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    P = config["pretraining"]
    corpus = registry.resolve({"corpus": dot_to_object(config, P["corpus"])})["corpus"]
    if next(iter(corpus(nlp)), None) is None:
        raise ValueError(
            f"{text}: no document to learn from (every one is empty or outside the corpus's "
            "min_length/max_length tokens)"
        )
    model = nlp.get_pipe(P["component"]).model
    layer = model.get_ref(P["layer"]) if P["layer"] else model
    try:
        layer.from_bytes(weights.read_bytes())
    except Exception as err:  # msgpack, shape and key errors: one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(
            f"{weights}: does not fit [components.{P['component']}] layer {P['layer']!r} of this config "
            f"({first}); adapt with the config the weights were pretrained with"
        ) from None


def adapt_language_model(
    config: Config,
    weights: Path,
    text: Path,
    output_dir: Path,
    epochs: int,
    overwrite: bool = False,
    use_gpu: int = -1,
    silent: bool = False,
) -> Path:
    """Resume spaCy pretraining from ``weights`` on ``text`` for ``epochs``; return model-last.bin's path.

    config (Config): A pipeline config with a filled [pretraining] block, not
        interpolated (paths.raw_text and pretraining.max_epochs are set here).
    weights (Path): spacy pretrain's weights (model*.bin) for that config.
    text (Path): The task's text: .txt, .jsonl or .spacy.
    output_dir (Path): A new directory; an earlier adapt-lm output only with ``overwrite``.
    epochs (int): Passes over ``text``, >= 1.
    """
    if epochs < 1:
        raise UsageError(f"--epochs must be >= 1, got {epochs}")
    if not config.get("pretraining"):
        raise UsageError("the config's [pretraining] block is empty; adapt-lm resumes spacy pretrain with it")
    if not Path(text).is_file():
        raise UsageError(f"{text}: no such file; expected the task's text (.txt, .jsonl or .spacy)")
    check_not_input(output_dir, [weights, text])
    check_directory_target(output_dir, marker={RECORD}, known=KNOWN, overwrite=overwrite)
    config = Config(config).merge({"paths": {"raw_text": str(text)}, "pretraining": {"max_epochs": epochs}})
    resolved = config.interpolate()
    if not silent:
        msg.info(f"Adapting {weights} to {text}: {epochs} epoch(s) of [pretraining]")
    check_inputs(resolved, Path(weights), Path(text))
    with atomic_directory(output_dir) as tmp:
        config.to_disk(tmp / "config.cfg")
        pretrain(resolved, tmp, resume_path=Path(weights), epoch_resume=0, use_gpu=use_gpu, silent=silent)
        record = {"weights": str(weights), "text": str(text), "epochs": epochs, "output": "model-last.bin"}
        (tmp / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf8")
    if not silent:
        msg.good(f"Adapted weights in {Path(output_dir) / 'model-last.bin'}")
    return Path(output_dir) / "model-last.bin"
