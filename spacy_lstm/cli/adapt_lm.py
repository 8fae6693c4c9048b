"""``python -m spacy lstm adapt-lm``: pretrained weights adapted to a task's own text."""
from pathlib import Path
from typing import Optional

import typer
from spacy.cli._util import Arg, Opt, import_code, parse_config_overrides, setup_gpu, show_validation_error
from spacy.util import load_config

from ..documents import FORMATS_HELP
from ._app import lstm_app, run_and_exit


@lstm_app.command("adapt-lm", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def adapt_lm_cli(
    # fmt: off
    ctx: typer.Context,  # config overrides: --section.key value, as spacy pretrain takes them
    config_path: Path = Arg(..., help="The config the weights were pretrained with (a filled [pretraining] block)", exists=True, dir_okay=False, show_default=False),
    weights: Path = Arg(..., help="spacy pretrain's weights to start from (model*.bin, e.g. model-last.bin)", show_default=False),
    text: Path = Arg(..., help=f"The task's own text, e.g. its .spacy training corpus: {FORMATS_HELP}", show_default=False),
    output_dir: Path = Arg(..., help="New directory for the adapted weights (model-last.bin); it appears only when complete", show_default=False),
    epochs: int = Opt(3, "--epochs", "-e", help="Passes of the language-model objective over TEXT"),
    overwrite: bool = Opt(False, "--overwrite", help="Replace OUTPUT_DIR if it is an earlier adapt-lm output; any other existing directory is refused"),
    code_path: Optional[Path] = Opt(None, "--code", "-c", help="Python file with additional registered functions"),
    gpu_id: int = Opt(-1, "--gpu-id", "-g", help="GPU id; -1 for CPU"),
    # fmt: on
) -> None:
    """Adapt pretrained language-model weights to a task's own text (ULMFiT's
    second step), then train the task with --paths.init_tok2vec
    OUTPUT_DIR/model-last.bin. Runs spaCy's pretraining loop with the config's
    [pretraining] settings, resumed from WEIGHTS, for --epochs over TEXT."""

    def body() -> None:
        from ..pretraining.adapt import adapt_language_model

        overrides = parse_config_overrides(ctx.args)
        import_code(code_path)
        setup_gpu(gpu_id)
        with show_validation_error(config_path):
            config = load_config(config_path, overrides=overrides, interpolate=False)
        adapt_language_model(config, weights, text, output_dir, epochs, overwrite=overwrite, use_gpu=gpu_id)

    run_and_exit(body)
