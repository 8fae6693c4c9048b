"""``nlp.pipe(texts, n_process=2)`` finishes and equals ``n_process=1``, with
fork (Linux's default) and spawn, on a pipeline with floret vectors and the
language-model tok2vec (LSTMTok2Vec.v3).

Run in a subprocess with a timeout, so a hang fails the test instead of
blocking CI."""
import sys
import textwrap

import pytest
import spacy
from spacy.training import Example
from thinc.api import fix_random_seed

from conftest import ASSETS, run
from spacy_lstm.vectors import VectorsConfig, train_vectors

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, sys
    if __name__ == "__main__":
        multiprocessing.set_start_method(sys.argv[2])
        import spacy
        nlp = spacy.load(sys.argv[1])
        lines = open(sys.argv[3], encoding="utf8").read().splitlines()[:200]
        # words the pipeline has never seen: their strings exist only in the
        # texts, so a vectors table without the vocab's strings fails on them
        texts = [f"{line} Zqxw{i}" for i, line in enumerate(lines)]

        def annotate(n_process):
            return [
                ([(t.text, t.tag_, t.dep_, t.head.i) for t in doc], doc.tensor)
                for doc in nlp.pipe(texts, n_process=n_process, batch_size=16)
            ]

        # fork: the parent has used torch's thread pool before forking (the
        # case that hangs); spawn: the texts' strings are new to the children
        if sys.argv[2] == "fork":
            # and one doc at a time on two threads first (nlp(text) takes
            # the one-doc paths), so the parent's thread pool is warm before
            # it forks
            import torch
            torch.set_num_threads(2)
            import numpy
            one_at_a_time = [nlp(text).tensor for text in texts[:20]]
            single = annotate(1)
            for alone, (_, batched) in zip(one_at_a_time, single):
                assert numpy.allclose(alone, batched, atol=1e-4), "one doc differs from its batch"
            multi = annotate(2)
        else:
            multi = annotate(2)
            single = annotate(1)
        import numpy
        assert len(multi) == len(single) == len(texts) == 200
        # annotations exactly; tensors within float32 rounding: the parent
        # may run two threads and the children one, and oneDNN picks its
        # kernels (and so the order of a sum) by thread count and shape,
        # which moves the last bits (about 1e-7) on some CPUs
        assert [a for a, _ in multi] == [a for a, _ in single], "n_process=2 differs from n_process=1"
        worst = max(float(numpy.abs(m - s).max(initial=0.0)) for (_, m), (_, s) in zip(multi, single))
        assert worst < 1e-4, f"n_process=2 tensors differ from n_process=1 by {worst}"
        print("ok", len(multi))
    """
)


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory, sample_train_docs):
    base = tmp_path_factory.mktemp("mp")
    vectors = base / "vectors"
    train_vectors(
        [ASSETS / "raw" / "tl_sample-raw.txt"], vectors,
        VectorsConfig(mode="floret", dim=16, bucket=2000, min_count=1, epochs=1, tokenizer="whitespace"),
    )
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    nlp.vocab.vectors = spacy.load(vectors).vocab.vectors
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy_lstm.LSTMTok2Vec.v3", "width": 32, "depth": 2, "rows": [500, 200, 200, 200],
        "char_width": 4, "refine_depth": 1,
    }})
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 32, "upstream": "*"}
    nlp.add_pipe("tagger", config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": listener}})
    nlp.add_pipe("parser", config={"model": {"@architectures": "spacy.TransitionBasedParser.v2",
                                             "state_type": "parser", "hidden_width": 32, "maxout_pieces": 2,
                                             "tok2vec": listener}})
    examples = [Example(nlp.make_doc(d.text), d) for d in sample_train_docs[:60]]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(2):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(base / "model")
    (base / "run.py").write_text(SCRIPT, encoding="utf8")
    return base


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pipe_with_two_processes_matches_one(pipeline_dir, method):
    result = run(
        [sys.executable, str(pipeline_dir / "run.py"), str(pipeline_dir / "model"), method,
         str(ASSETS / "raw" / "tl_sample-raw.txt")],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok 200"
