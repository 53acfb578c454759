"""tomotopy's ``DTModel``, fitted in a child process whose vector code path is pinned, so a seed
gives the same arrays bit for bit.

Why a child process: tomotopy ships one compiled module per x86 instruction set and loads the
widest the CPU has (avx512, avx2) unless ``TOMOTOPY_ISA`` names another *before its first import*.
With AVX, ``DTModel``'s drifting parameters come out different in the last bits from one fit to
the next, in the same process or another (measured: 2 fits in 5 differed by up to 1.3e-8 after 60
sweeps). Its sums over vectors depend on where the heap placed them (32-byte AVX registers, 16-byte
``malloc`` alignment); SSE2's 16-byte registers do not (15 of 15 fits identical, in 5 processes).
The process that calls :func:`fit_dtmodel` may already hold the AVX module — a notebook that
imported tomotopy, or our own LDA engine, whose integer Gibbs counts are the same under every ISA
(measured) — so the fit runs in a fresh interpreter started with ``TOMOTOPY_ISA=sse2``. The cost:
SSE2 sampling takes 1.12× AVX2's time (10 topics, 8 slices, 400 documents, 100 sweeps: 7.9 s against
7.0 s, medians of 5 alternating runs) and starting the child ~0.45 s.

The two processes exchange ``.npy`` arrays and JSON in a private temporary folder: nothing is
pickled, and the child leaves the working folder off its import path (``-P``), so no file there
can run. Off x86 (ARM wheels have one module), the child uses what it has and says which.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["DTM_ISA", "DTM_PARAMS", "fit_dtmodel"]

#: tomotopy's own defaults, written out so they are part of the fit's recorded settings
DTM_PARAMS = dict(alpha_var=0.1, eta_var=0.1, phi_var=0.1, lr_a=0.01, lr_b=0.1, lr_c=0.55)
_X86 = platform.machine().lower() in {"x86_64", "amd64", "x86", "i386", "i686"}
#: the instruction set the child is asked to load (off x86: the platform's only module)
DTM_ISA = "sse2" if _X86 else platform.machine().lower()
#: the child runs this file alone, not the package: importing ``topics.models`` would cost it seconds (gensim)
_CHILD_CODE = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('topics_dtm_child', {path!r}); "
               "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); module._child()")


def fit_dtmodel(bow: Sequence[Sequence[tuple[int, float]]], vocabulary: Sequence[str], slices: np.ndarray,
                n_slices: int, k: int, seed: int, iterations: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Fit ``k`` drifting topics in a child process.

    Returns ``(topic_word, doc_topic, isa)``: the (K, T, V) word distributions over ``vocabulary``
    (rows sum to 1), the (documents, K) topic proportions (1/K for an empty document), and the
    instruction set the child loaded. Raises :class:`EngineError` with the child's last line (or
    the signal that killed it) if it fails.
    """
    from ..errors import EngineError  # here, not at the top: the child runs this file outside the package

    lengths = np.array([len(doc) for doc in bow], dtype=np.int64)
    ids = np.fromiter((i for doc in bow for i, _ in doc), dtype=np.int64, count=int(lengths.sum()))
    counts = np.fromiter((c for doc in bow for _, c in doc), dtype=np.int64, count=int(lengths.sum()))
    with tempfile.TemporaryDirectory(prefix="topics-dtm-") as tmp:
        folder = Path(tmp)
        for name, array in (("lengths", lengths), ("ids", ids), ("counts", counts),
                            ("slices", np.asarray(slices, dtype=np.int64))):
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
        (folder / "job.json").write_text(json.dumps({"vocabulary": list(vocabulary), "n_slices": n_slices, "k": k,
                                                     "seed": seed, "iterations": iterations}), encoding="utf-8")
        env = dict(os.environ)
        if _X86:
            env["TOMOTOPY_ISA"] = DTM_ISA
        code = _CHILD_CODE.format(path=str(Path(__file__).resolve()))
        done = subprocess.run([sys.executable, "-P", "-c", code, str(folder)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            cause = (lines[-1] if lines else f"killed by signal {-done.returncode} (out of memory?)"
                     if done.returncode < 0 else f"exit code {done.returncode}")
            raise EngineError(f"the dynamic model's fit (tomotopy DTModel, in a child process) failed: {cause}")
        isa = json.loads((folder / "done.json").read_text(encoding="utf-8"))["isa"]
        if _X86 and isa != DTM_ISA:
            raise EngineError(f"tomotopy loaded its {isa} module although TOMOTOPY_ISA={DTM_ISA} was set; the dynamic "
                               f"fit would not be reproducible (tomotopy's loader may have changed: pin tomotopy 0.14)")
        topic_word = np.load(folder / "topic_word.npy", allow_pickle=False)
        doc_topic = np.load(folder / "doc_topic.npy", allow_pickle=False)
    return topic_word, doc_topic, isa


def _child() -> None:
    """The child's side: read the job from the folder in ``sys.argv[1]``, fit, write the arrays."""
    import warnings

    folder = Path(sys.argv[1])
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    lengths, ids, counts, slices = (np.load(folder / f"{name}.npy", allow_pickle=False)
                                    for name in ("lengths", "ids", "counts", "slices"))
    vocabulary, k, n_slices = job["vocabulary"], job["k"], job["n_slices"]
    with warnings.catch_warnings():  # its compiled types warn "has no __module__ attribute" on import: noise
        warnings.simplefilter("ignore", DeprecationWarning)
        import tomotopy as tp
    model = tp.DTModel(k=k, t=n_slices, seed=job["seed"], **DTM_PARAMS)
    added = []
    ends = np.cumsum(lengths)
    for d, (end, length) in enumerate(zip(ends.tolist(), lengths.tolist())):
        words = [vocabulary[i] for i, count in zip(ids[end - length:end].tolist(), counts[end - length:end].tolist())
                 for _ in range(count)]
        if words:
            model.add_doc(words, timepoint=int(slices[d]))
            added.append(d)
    model.train(job["iterations"], workers=1, parallel=tp.ParallelScheme.NONE)
    # tomotopy numbers the words it saw; map its columns back onto the vocabulary given
    column = {word: i for i, word in enumerate(vocabulary)}
    used = np.array([column[word] for word in model.used_vocabs], dtype=int)
    topic_word = np.zeros((k, n_slices, len(vocabulary)))
    for topic in range(k):
        for t in range(n_slices):
            topic_word[topic, t, used] = model.get_topic_word_dist(topic, timepoint=t, normalize=True)
    topic_word /= topic_word.sum(axis=2, keepdims=True)
    doc_topic = np.full((len(lengths), k), 1.0 / k)
    for row, doc in zip(added, model.docs):
        doc_topic[row] = doc.get_topic_dist()
    np.save(folder / "topic_word.npy", topic_word, allow_pickle=False)
    np.save(folder / "doc_topic.npy", doc_topic, allow_pickle=False)
    (folder / "done.json").write_text(json.dumps({"isa": tp.isa}), encoding="utf-8")
